# Extracts the types mtosim writes from Microsoft Graph's v1.0 CSDL into
# fixtures/csdl/graph-v1.0-extract.json, the file tests/csdl.rs checks every exported object
# against. Source: microsoftgraph/msgraph-metadata, clean_v10_metadata/cleanMetadata.xml at
# commit f54f11b6 (the commit is recorded in the extract). Run from the repository root:
#   python3 docs/gen/csdl_extract.py path/to/cleanMetadata.xml
import json, re, sys
import xml.etree.ElementTree as ET

SOURCE = "microsoftgraph/msgraph-metadata clean_v10_metadata/cleanMetadata.xml @ f54f11b6"
ROOTS = [
    "multiTenantOrganization", "multiTenantOrganizationMember", "multiTenantOrganizationJoinRequestRecord",
    "multiTenantOrganizationPartnerConfigurationTemplate", "multiTenantOrganizationIdentitySyncPolicyTemplate",
    "crossTenantAccessPolicyConfigurationPartner", "crossTenantIdentitySyncPolicyPartner",
    "crossTenantAccessPolicy", "crossTenantAccessPolicyConfigurationDefault",
    "user", "group", "invitation", "organization", "provisioningObjectSummary",
    # cross-tenant synchronization as mtosim serve answers it
    "applicationServicePrincipal", "application", "servicePrincipal", "appRoleAssignment",
    "synchronizationJob", "synchronizationSchema", "synchronizationSecretKeyStringValuePair",
    "parseExpressionResponse",
]
ns = {"e": "http://docs.oasis-open.org/odata/ns/edm"}
schema = ET.parse(sys.argv[1]).getroot().find(".//e:Schema", ns)
types, enums = {}, {}
for el in schema:
    tag = el.tag.split("}")[1]
    name = el.get("Name")
    if tag in ("EntityType", "ComplexType"):
        types[name] = {
            "base": (el.get("BaseType") or "").replace("graph.", "") or None,
            "open": el.get("OpenType") == "true",
            "properties": {p.get("Name"): p.get("Type").replace("graph.", "") for p in el.findall("e:Property", ns)},
            "navigation": {p.get("Name"): p.get("Type").replace("graph.", "") for p in el.findall("e:NavigationProperty", ns)},
        }
    elif tag == "EnumType":
        enums[name] = {"flags": el.get("IsFlags") == "true", "members": [m.get("Name") for m in el.findall("e:Member", ns)]}
def inner(t):
    m = re.match(r"Collection\((.*)\)", t)
    return m.group(1) if m else t
keep_t, keep_e, todo = {}, {}, list(ROOTS)
while todo:
    n = todo.pop()
    if n in keep_t or n not in types:
        continue
    keep_t[n] = types[n]
    if types[n]["base"]:
        todo.append(types[n]["base"])
    for t in list(types[n]["properties"].values()):
        t = inner(t)
        if t in types:
            todo.append(t)
        elif t in enums:
            keep_e[t] = enums[t]
    # navigation targets are checked only when expanded: keep the ones mtosim expands
    for nav in ("identitySynchronization", "members", "manager", "directories"):
        if nav in types[n]["navigation"]:
            todo.append(inner(types[n]["navigation"][nav]))
# subtypes of kept bases that an expanded collection may hold (group members are users or groups)
out = {"source": SOURCE, "types": dict(sorted(keep_t.items())), "enums": dict(sorted(keep_e.items()))}
json.dump(out, open("fixtures/csdl/graph-v1.0-extract.json", "w"), indent=1, sort_keys=False)
print(len(keep_t), "types,", len(keep_e), "enums")
