from django.db import migrations

S, I, N, B, D, C = "string", "integer", "number", "boolean", "date", "choice"


def attr(name, type_, required=False, choices=None):
    item = {"name": name, "type": type_, "required": required}
    if choices:
        item["choices"] = choices
    return item


CLASSES = [
    ("server", "Server", "A physical server.", [
        attr("hostname", S), attr("ip_address", S), attr("os", S), attr("cpu_cores", I), attr("memory_gb", N),
        attr("serial_number", S), attr("purchase_date", D)]),
    ("virtual_machine", "Virtual machine", "A virtual machine on a hypervisor or in a cloud.", [
        attr("hostname", S), attr("ip_address", S), attr("os", S), attr("cpu_cores", I), attr("memory_gb", N)]),
    ("database", "Database", "A database instance or schema.", [
        attr("engine", C, choices=["postgresql", "mysql", "oracle", "sqlserver", "mongodb", "other"]),
        attr("version", S), attr("port", I), attr("backed_up", B)]),
    ("application", "Application", "Software that delivers part of a service.", [
        attr("version", S), attr("url", S), attr("vendor", S)]),
    ("network_device", "Network device", "A switch, router or firewall.", [
        attr("device_type", C, choices=["switch", "router", "firewall", "access_point", "other"]),
        attr("ip_address", S), attr("model", S), attr("serial_number", S)]),
    ("load_balancer", "Load balancer", "Spreads traffic over a pool of members.", [
        attr("ip_address", S), attr("virtual_ip", S), attr("model", S)]),
    ("storage", "Storage", "A storage array, volume or share.", [
        attr("capacity_tb", N), attr("storage_type", C, choices=["san", "nas", "object", "local"]),
        attr("model", S)]),
    ("business_service", "Business service", "A service as the business sees it.", [
        attr("business_owner", S), attr("hours", S)]),
    ("cluster", "Cluster", "A group of members that act as one.", [
        attr("cluster_type", S)]),
]


def seed(apps, schema_editor):
    CIClass = apps.get_model("cmdb", "CIClass")
    for name, label, description, attribute_schema in CLASSES:
        CIClass.objects.get_or_create(name=name, defaults={
            "label": label, "description": description, "attribute_schema": attribute_schema})


class Migration(migrations.Migration):
    dependencies = [("cmdb", "0003_ciclass_relationship_configurationitem_attributes_and_more")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
