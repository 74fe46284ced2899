"""Impact analysis on generated graphs with known answers."""

import pytest

from cmdb import queries
from tests.support import factories
from tests.support.cmdb_factories import CIFactory, RelationshipFactory, chain
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db


def names(rows):
    return {r.name: r.depth for r in rows}


@pytest.fixture
def graph():
    """
    web -> app -> db -> san        (each "depends on / runs on" the next)
    api -> app ; batch -> db ; db2 -> san ; report -> db2
    A cycle: san -> fw -> san is impossible in practice but must not loop: fw connected_to san, san connected_to fw.
    """
    web, app, db, san = chain("web", "app", "db", "san")
    api, batch, db2, report, fw = (CIFactory(name=n) for n in ("api", "batch", "db2", "report", "fw"))
    RelationshipFactory(source=api, target=app)
    RelationshipFactory(source=batch, target=db, kind="runs_on")
    RelationshipFactory(source=db2, target=san)
    RelationshipFactory(source=report, target=db2)
    RelationshipFactory(source=fw, target=san, kind="connected_to")
    RelationshipFactory(source=san, target=fw, kind="connected_to")
    return {ci.name: ci for ci in (web, app, db, san, api, batch, db2, report, fw)}


def test_impacted_with_depth_and_path(graph):
    rows = queries.impacted([graph["db"].pk])
    assert names(rows) == {"app": 1, "batch": 1, "web": 2, "api": 2}
    paths = {r.name: r.path for r in rows}
    assert paths["web"] == ["db", "app", "web"]
    assert paths["batch"] == ["db", "batch"]
    assert {r.name: r.kind for r in rows}["batch"] == "runs_on"


def test_impact_survives_a_cycle(graph):
    rows = queries.impacted([graph["san"].pk])
    assert names(rows) == {"fw": 1, "db": 1, "db2": 1, "app": 2, "batch": 2, "report": 2, "web": 3, "api": 3}
    assert {r.name: r.path for r in rows}["web"] == ["san", "db", "app", "web"]


def test_depth_limit(graph):
    assert names(queries.impacted([graph["san"].pk], max_depth=1)) == {"fw": 1, "db": 1, "db2": 1}
    assert set(names(queries.impacted([graph["san"].pk], max_depth=2))) == {
        "fw", "db", "db2", "app", "batch", "report"}


def test_upstream(graph):
    assert names(queries.upstream([graph["web"].pk])) == {"app": 1, "db": 2, "san": 3, "fw": 4}
    assert names(queries.upstream([graph["report"].pk, graph["batch"].pk])) == {
        "db2": 1, "db": 1, "san": 2, "fw": 3}


def test_shortest_depth_wins(graph):
    RelationshipFactory(source=graph["web"], target=graph["db"])
    rows = {r.name: r for r in queries.impacted([graph["db"].pk])}
    assert rows["web"].depth == 1 and rows["web"].path == ["db", "web"]


def test_one_query_each(graph):
    assert count_queries(lambda: queries.impacted([graph["san"].pk])) == 1
    assert count_queries(lambda: queries.upstream([graph["web"].pk])) == 1


def test_long_chain_is_cut_at_max_depth():
    cis = chain(*[f"n{i:02d}" for i in range(30)])
    rows = queries.impacted([cis[-1].pk])
    assert len(rows) == 10 and max(r.depth for r in rows) == 10
    assert len(queries.impacted([cis[-1].pk], max_depth=50)) == 29


def test_impact_api_lists_cis_and_services(agent_api, graph):
    mail = factories.ServiceFactory(name="Web shop")
    graph["web"].service = mail
    graph["web"].save()
    response = agent_api.get(f"/api/v1/cis/{graph['db'].pk}/impact/")
    assert response.status_code == 200
    body = response.json()
    assert {c["name"]: c["depth"] for c in body["cis"]} == {"app": 1, "batch": 1, "web": 2, "api": 2}
    web = next(c for c in body["cis"] if c["name"] == "web")
    assert web["path"] == ["db", "app", "web"] and web["class"] == "application"
    assert body["services"] == [{"id": mail.pk, "name": "Web shop", "depth": 2, "via": "web",
                                 "path": ["db", "app", "web"]}]
    assert agent_api.get(f"/api/v1/cis/{graph['db'].pk}/impact/", {"max_depth": "x"}).status_code == 400
    assert agent_api.get(f"/api/v1/cis/{graph['db'].pk}/impact/", {"max_depth": 1}).json()["cis"][0]["depth"] == 1


def test_service_cis(agent_api, graph):
    shop = factories.ServiceFactory(name="Shop")
    for name in ("web", "report"):
        graph[name].service = shop
        graph[name].save()
    body = agent_api.get(f"/api/v1/cmdb/services/{shop.pk}/cis/").json()
    assert {c["name"]: c["depth"] for c in body["cis"]} == {
        "web": 0, "report": 0, "app": 1, "db2": 1, "db": 2, "san": 2, "fw": 3}
    assert agent_api.get("/api/v1/cmdb/services/999999/cis/").status_code == 404


def test_upstream_api(agent_api, graph):
    body = agent_api.get(f"/api/v1/cis/{graph['app'].pk}/upstream/").json()
    assert {c["name"] for c in body["cis"]} == {"db", "san", "fw"}


def test_each_ci_once_with_its_shortest_path_on_a_diamond_lattice():
    """Layers of 4 CIs, each depending on every CI of the layer below: 4^8 paths to the top, one row each."""
    layers = [[CIFactory(name=f"l{depth}-{i}") for i in range(4)] for depth in range(9)]
    for below, above in zip(layers, layers[1:]):
        for source in above:
            for target in below:
                RelationshipFactory(source=source, target=target)
    rows = queries.impacted([layers[0][0].pk])
    assert len(rows) == 8 * 4 and len({r.id for r in rows}) == len(rows)
    top = next(r for r in rows if r.name == "l8-2")
    # Equally short paths: the one through the lowest-numbered CI of each layer explains it.
    assert top.depth == 8 and top.path == ["l0-0", "l1-0", "l2-0", "l3-0", "l4-0", "l5-0", "l6-0", "l7-0", "l8-2"]
    assert top.path_ids == [layers[d][0].pk for d in range(8)] + [layers[8][2].pk]


def test_start_cis_stay_at_depth_zero(graph):
    rows = queries.impacted([graph["db"].pk, graph["app"].pk], include_start=True)
    assert names(rows) == {"db": 0, "app": 0, "batch": 1, "web": 1, "api": 1}
    assert {r.name: r.path for r in rows}["web"] == ["app", "web"]
    assert names(queries.impacted([graph["db"].pk], max_depth=0, include_start=True)) == {"db": 0}
    assert queries.impacted([]) == [] and queries.impacted([999999]) == []
