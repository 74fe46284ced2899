"""The CI picker's search matches the class and the attributes as well as the name."""

import pytest

from tests.support.cmdb_factories import CIClassFactory, CIFactory
from tests.support.queries import max_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def cis():
    printer = CIClassFactory(name="printer", label="Printer", attribute_schema=[])
    server = CIClassFactory(name="server", label="Server", attribute_schema=[])
    return {
        "by_class": CIFactory(name="prn-hq-floor3", ci_class=printer),
        "by_attribute": CIFactory(name="mfd-branch-02", ci_class=server,
                                  attributes={"model": "Laser Printer 4000", "floor": 2}),
        "unrelated": CIFactory(name="web-01", ci_class=server, attributes={"model": "R740"}),
    }


def names(api, text):
    response = api.get("/api/v1/cis/", {"search": text})
    assert response.status_code == 200
    return [row["name"] for row in response.json()["results"]]


def test_search_finds_cis_by_class_and_attribute_values(agent_api, cis):
    assert sorted(names(agent_api, "printer")) == ["mfd-branch-02", "prn-hq-floor3"]
    assert names(agent_api, "PRINTER 4000") == ["mfd-branch-02"]
    assert names(agent_api, "web") == ["web-01"]
    assert names(agent_api, "nothing-like-this") == []


def test_search_rows_name_the_class_for_the_picker_label(agent_api, cis):
    row = agent_api.get("/api/v1/cis/", {"search": "prn-hq"}).json()["results"][0]
    assert row["ci_class"] == "printer" and row["class_label"] == "Printer"


def test_search_is_bounded_and_constant_in_queries(agent_api, cis):
    for n in range(30):
        CIFactory(name=f"printer-{n:02d}")
    with max_queries(5):
        response = agent_api.get("/api/v1/cis/", {"search": "printer", "page_size": 15})
    body = response.json()
    assert len(body["results"]) == 15 and body["next"]
