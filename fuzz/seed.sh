#!/usr/bin/env bash
# Regenerates the fuzz seeds (fuzz/corpus/<target>/seed-*) and dictionaries (fuzz/dict/*.dict)
# from the project's own files: scenarios, fixtures, the engine's tests and its vocabularies.
#
#   bash fuzz/seed.sh
#
# Seed files are named seed-*; inputs that libFuzzer added to a corpus and `cargo fuzz cmin`
# kept (named by their SHA-1) are left alone, except one with a seed's content, which the seed
# replaces. Needs python3 (3.11+, for tomllib).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 - <<'PY'
import hashlib, os, re, sys, tomllib
from pathlib import Path

ROOT = Path(".")
FUZZ = ROOT / "fuzz"

def reset(target):
    d = FUZZ / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    for f in d.glob("seed-*"):
        f.unlink()
    return d

def write_seeds(target, items):
    """items: list of bytes; named seed-<index>-<short hash>, duplicates dropped."""
    d = reset(target)
    seen = set()
    n = 0
    for data in items:
        if data in seen:
            continue
        seen.add(data)
        h = hashlib.sha1(data).hexdigest()
        # the same input kept by libFuzzer under its SHA-1 name becomes this seed
        (d / h).unlink(missing_ok=True)
        (d / f"seed-{n:03d}-{h[:10]}").write_bytes(data)
        n += 1
    print(f"{target}: {n} seeds")

def rust_strings(text):
    """Every string literal of Rust source `text` (comments skipped), decoded."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        m = re.compile(r'b?r(#*)"').match(text, i)
        if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            end = '"' + m.group(1)
            j = text.find(end, m.end())
            if j < 0:
                break
            out.append(text[m.end():j])
            i = j + len(end)
            continue
        if c == "'":
            m = re.compile(r"'(\\u\{[0-9a-fA-F]+\}|\\x[0-9a-fA-F]{2}|\\.|[^\\'])'").match(text, i)
            i = m.end() if m else i + 1
            continue
        if c == '"':
            j, buf = i + 1, []
            while j < n and text[j] != '"':
                if text[j] == "\\":
                    e = text[j + 1]
                    if e == "\n":
                        j += 2
                        while j < n and text[j] in " \t\n\r":
                            j += 1
                        continue
                    simple = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'"}
                    if e in simple:
                        buf.append(simple[e]); j += 2; continue
                    if e == "x":
                        buf.append(chr(int(text[j + 2:j + 4], 16))); j += 4; continue
                    if e == "u":
                        k = text.index("}", j)
                        buf.append(chr(int(text[j + 3:k], 16))); j = k + 1; continue
                    buf.append(e); j += 2; continue
                buf.append(text[j]); j += 1
            out.append("".join(buf))
            i = j + 1
            continue
        i += 1
    return out

def test_module(path):
    text = path.read_text()
    k = text.find("\nmod tests {")
    return text[k:] if k >= 0 else ""

def walk(v, key=None):
    """(key, value) for every value of a parsed TOML document, recursively."""
    if isinstance(v, dict):
        for k, x in v.items():
            yield from walk(x, k)
    elif isinstance(v, list):
        for x in v:
            yield from walk(x, key)
        yield key, v
    else:
        yield key, v

scenario_files = sorted(ROOT.glob("scenarios/*.toml")) + sorted(ROOT.glob("fixtures/**/*.toml"))
docs = []
for f in scenario_files:
    with open(f, "rb") as fh:
        docs.append(tomllib.load(fh))

# scenario_load: every scenario and fixture file, as is
write_seeds("scenario_load", [f.read_bytes() for f in scenario_files])

# csv_import: the CSV fixtures, as is
write_seeds("csv_import", [f.read_bytes() for f in sorted(ROOT.glob("fixtures/csv/*.csv"))])

# membership_rule: every `rule` in the scenarios, and the rule texts of membership.rs's tests
rules = [v for d in docs for k, v in walk(d) if k == "rule" and isinstance(v, str)]
for s in rust_strings(test_module(ROOT / "engine/src/membership.rs")):
    if re.search(r"user\.|direct\s+reports|system\.now|^\s*-?not\b|^\s*\(", s, re.I):
        rules.append(s)
write_seeds("membership_rule", [r.encode() for r in rules])

# scoping_filter: the scenarios' `filters` (filters joined by NUL, clauses by newline), and the
# clause texts of scoping.rs's tests
filters = []
for d in docs:
    for k, v in walk(d):
        if k == "filters" and isinstance(v, list) and all(isinstance(g, list) for g in v):
            filters.append("\0".join("\n".join(g) for g in v))
ops = r"EQUALS|Includes|ENDS_WITH|Greater_Than|IS\s+(NOT\s+)?(NULL|TRUE|FALSE)|REGEX|\s!?&\s"
for s in rust_strings(test_module(ROOT / "engine/src/scoping.rs")):
    if re.search(ops, s, re.I) and "\n" not in s and len(s) < 400:
        filters.append(s)
filters.append("department EQUALS Sales\ncountry EQUALS US\0jobTitle EQUALS CEO")
filters.append("mail IS NOT NULL\0\0employeeId Greater_Than 1000")
write_seeds("scoping_filter", [f.encode() for f in filters])

# expression: the expression column of engine/tests/expression-examples.tsv, and the
# scenarios' `expression` values
exprs = []
header = None
for line in (ROOT / "engine/tests/expression-examples.tsv").read_text().splitlines():
    if line.startswith("#") or not line.strip():
        continue
    cells = line.split("\t")
    if header is None:
        header = cells
        col = header.index("expression")
        continue
    if col < len(cells) and cells[col]:
        exprs.append(cells[col])
exprs += [v for d in docs for k, v in walk(d) if k == "expression" and isinstance(v, str)]
write_seeds("expression", [e.encode() for e in exprs])

# graph_import: contoso's endpoint files joined by NUL (fuzz_targets/graph_import.rs), from the
# Graph docs' export and the golden --out export (its tenant ids those of the target's fixed
# organizations), plus pages, casing, a /Date()/ time and UTF-16
import json as _json
ENDPOINTS = ["users.json", "groups.json", "partners.json", "tenants.json",
             "multiTenantOrganization.json", "joinRequest.json"]
CONTOSO_ID, FABRIKAM_ID = "1fd6544e-e994-4de2-9f1b-787b51c7d325", "4a12efe6-aa14-4d03-8dff-88fc89e2e2ad"
def export_seed(folder, fix=lambda b: b):
    return b"\0".join(fix((folder / n).read_bytes()) if (folder / n).exists() else b"" for n in ENDPOINTS)
graph_seeds = [export_seed(ROOT / "fixtures/import/graph-docs/contoso")]
views = ROOT / "fixtures/graph/mto-views"
ids = {t["name"]: t["tenantId"] for t in _json.loads((views / "manifest.json").read_text())["tenants"]}
def to_fixed(b):
    return b.replace(ids["contoso"].encode(), CONTOSO_ID.encode()).replace(ids["fabrikam"].encode(), FABRIKAM_ID.encode())
graph_seeds += [export_seed(views / t, to_fixed) for t in ("contoso", "fabrikam")]
graph_seeds.append(b'{"@odata.nextLink": "x", "value": [{"ID": "c1000000-0000-4000-8000-000000000001", '
                   b'"UserPrincipalName": "a@contoso.com", "createdDateTime": "/Date(1685138723000)/", '
                   b'"manager": {"id": "c1000000-0000-4000-8000-000000000001"}}]}')
graph_seeds.append(b"\xff\xfe" + ('{"value": [{"id": "c1000000-0000-4000-8000-000000000002", '
                   '"userPrincipalName": "b_fabrikam.onmicrosoft.com#EXT#@contoso.onmicrosoft.com", '
                   '"creationType": "Invitation", "identities": [{"issuer": "fabrikam.onmicrosoft.com"}]}]}').encode("utf-16-le"))
write_seeds("graph_import", graph_seeds)

# ----- dictionaries -----------------------------------------------------------------------

def dict_line(tok):
    b = tok.encode() if isinstance(tok, str) else tok
    s = "".join(
        "\\" + chr(c) if c in (0x22, 0x5C) else chr(c) if 0x20 <= c < 0x7F else f"\\x{c:02X}"
        for c in b
    )
    return f'"{s}"'

def write_dict(target, comment, tokens):
    seen, lines = set(), [f"# {comment}", "# Generated by fuzz/seed.sh; regenerate, don't edit."]
    for t in tokens:
        if t and t not in seen:
            seen.add(t)
            lines.append(dict_line(t))
    (FUZZ / "dict").mkdir(exist_ok=True)
    (FUZZ / "dict" / f"{target}.dict").write_text("\n".join(lines) + "\n")
    print(f"{target}.dict: {len(seen)} tokens")

user_rs = (ROOT / "engine/src/user.rs").read_text()
attrs = re.findall(r'^\s*\w+ = "(\w+)" / "(\w+)",', user_rs, re.M)
graph_names = [g for g, _ in attrs]
schema_names = [s for _, s in attrs]
extra_names = re.findall(r'\("(\w+)",\s*ExtraProp::', (ROOT / "engine/src/extra.rs").read_text())
fields = ["userPrincipalName", "userType", "accountEnabled", "objectId", "memberOf", "assignedPlans"]
ext_attrs = [f"extensionAttribute{n}" for n in range(1, 16)]
extension = "extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber"
properties = graph_names + schema_names + fields + extra_names + ext_attrs + [extension]

load_rs = (ROOT / "scenario/src/load.rs").read_text()
def const_list(text, name):
    m = re.search(name + r"[^=]*=\s*&\[(.*?)\];", text, re.S)
    return re.findall(r'"([^"]+)"', m.group(1)) if m else []
verbs_rs = (ROOT / "scenario/src/verbs.rs").read_text()
verb_names = re.findall(r'verb\(\s*"([a-z-]+)"', verbs_rs)
words = set()
for f in ["verbs.rs", "values.rs", "checks_load.rs", "load.rs", "refs.rs", "toml_read.rs"]:
    words.update(re.findall(r'"([a-z][a-z0-9_-]*)"', (ROOT / "scenario/src" / f).read_text()))
scenario_tokens = (
    ["[scenario]", "[[tenant]]", "[[step]]", "[[tenant.user]]", "[[tenant.group]]",
     "[[tenant.partner]]", "[tenant.templates]", "[tenant.users]", " = ", "\n", '"', "'", '"""',
     "'''", "[", "]", "{", "}", ",", ".", "=", "true", "false", "-1", "0", "1", "65536",
     "9223372036854775807", "1e3", "0.5", "2025-01-01T00:00:00Z", "2h", "30m", "1d", "P1D",
     "ga", "preview-2023", "max", "random", "everyone", "none", "commercial",
     "contoso", "fabrikam", "contoso.onmicrosoft.com", "contoso.com", "ann@contoso.com",
     "aaaaaaaa-0000-4000-8000-000000000001", "users.csv", "missing.csv", "generate",
     "do = ", "tenant = ", "at = ", "expect_error = "]
    + const_list(load_rs, "SCENARIO_KEYS") + const_list(load_rs, "TENANT_KEYS")
    + verb_names + [f'do = "{v}"' for v in verb_names] + sorted(words)
    + properties + ['user.department -eq "Sales"', "[department]"]
)
write_dict("scenario_load", "Scenario TOML: tables, keys, verbs (scenario/src/verbs.rs), values.",
           scenario_tokens)

csv_rs = (ROOT / "scenario/src/csv_import.rs").read_text()
csv_headers = re.findall(r'\("(\w+)", Attr::', csv_rs) + const_list(csv_rs, "KNOWN_UNUSED")
csv_tokens = (
    ["userPrincipalName", "userType", "accountEnabled", "authenticationPhoneNumber",
     "authenticationEmail", "authenticationAlternativePhoneNumber"] + csv_headers + graph_names
    + [",", '"', '""', "\r\n", "\n", "\xef\xbb\xbf".encode("latin-1"), b"\xff\xfe", "True", "False",
       "TRUE", "FALSE", "1", "0", "Yes", "Member", "Guest", "Admin", "@", "#EXT#",
       "@contoso.com", "ann@contoso.com", "ann_fabrikam.com#EXT#@contoso.onmicrosoft.com",
       "Invitation", "Accepted", "PendingAcceptance", "8/19/2021 1:25:31 PM"]
)
write_dict("csv_import", "Download users CSV: headers (CTS-72, CTS-73) and values.", csv_tokens)

mem_rs = (ROOT / "engine/src/membership.rs").read_text()
operators = re.findall(r'\("[a-z]+", "(-[a-zA-Z]+)", Kind::', mem_rs)
mem_tokens = (
    operators + [o[1:] for o in operators]
    + ["-any", "-all", "-and", "-or", "-not", "-plus", "-minus", "and", "or", "not",
       "(", ")", "[", "]", ",", '"', "'", "''", '\\"', "\\'", "null", "true", "false", '"null"',
       "system.now", "_", "group.objectId", "assignedPlan.capabilityStatus",
       "assignedPlan.service", "assignedPlan.servicePlanId", "Direct Reports for ",
       "62e19b97-8b3d-4d4a-a106-4ce66896a863", "2020-06-10T18:13:20Z", "2024-06-10",
       "P1D", "PT12H", "P1Y2M3DT4H5M6S", "Sales", "US", "Enabled", ".*", "^", "$"]
    + ["user." + p for p in properties]
)
write_dict("membership_rule", "Dynamic membership rules: operators, user.<property>, values.", mem_tokens)

scoping_rs = (ROOT / "engine/src/scoping.rs").read_text()
scoping_ops = re.findall(r'\(Op::\w+, "([^"]+)"\)', scoping_rs)
scoping_tokens = (
    scoping_ops + [w for o in scoping_ops for w in o.split(" ")]
    + ["\0", "\n", " ", "'", '"', "Sales", "US", "1000", "-5", "true", "false", "^[A-Z]",
       "(", ")", "manager", "memberOf", "birthday", "createdDateTime"]
    + properties
)
write_dict("scoping_filter", "Scoping filter clauses: attributes, operators (CTS-17); NUL splits filters, newline clauses.",
           scoping_tokens)

expr_rs = (ROOT / "engine/src/expr.rs").read_text()
m = re.search(r"pub const FUNCTIONS: &\[&str\] = &\[(.*?)\];", expr_rs, re.S)
functions = re.findall(r'"(\w+)"', m.group(1))
expr_tokens = (
    [f + "(" for f in functions] + functions
    + ["(", ")", ",", '"', '\\"', "\\\\", "[", "]", "=", "<>", ">", ">=", "<", "<=", "&H", "&HF7",
       "-10", "0", "1", "256", "vbTextCompare", "vbBinaryCompare", '"yyyy"', '"m"', '"d"', '"ww"',
       '"h"', '"n"', '"s"', '"M/d/yyyy h:mm:ss tt"', '"yyyyMMddHHmmss.fZ"', '"yyyy-MM-dd"',
       '"RoundtripKind"', '"AllowLeadingWhite"', '"en-US"', '"True"', '"False"', '""',
       '"(?<name>\\\\w+)"', "${name}", '"2021-08-24T15:33:38Z"', '"@contoso.com"', '" "', '"."']
    + ["[" + a + "]" for a in ["givenName", "surname", "displayName", "mail", "userPrincipalName",
                               "mailNickname", "department", "country", "city", "employeeId",
                               "extensionAttribute1", "accountEnabled", "netId", "createdDateTime",
                               "employeeHireDate", "proxyAddresses", "otherMails",
                               "appRoleAssignments", "manager"]]
)
write_dict("expression", "Attribute-mapping expressions: functions (mtosim_engine::expr::FUNCTIONS), attributes, constants.",
           expr_tokens)

graph_tokens = ['"' + t + '"' for t in [
    "value", "@odata.nextLink", "@odata.type", "id", "userPrincipalName", "creationType", "Invitation",
    "externalUserState", "PendingAcceptance", "identities", "issuer", "manager", "members",
    "#microsoft.graph.user", "#microsoft.graph.group", "membershipRule", "groupTypes",
    "DynamicMembership", "Unified", "tenantId", "identitySynchronization", "userSyncInbound",
    "isSyncAllowed", "automaticUserConsentSettings", "inboundAllowed", "outboundAllowed",
    "b2bCollaborationInbound", "b2bCollaborationOutbound", "usersAndGroups", "applications",
    "targets", "target", "AllUsers", "accessType", "blocked", "state", "pending", "active",
    "removed", "role", "owner", "member", "addedByTenantId", "addedDateTime", "joinedDateTime",
    "transitionDetails", "createdDateTime", "templateApplicationLevel", "showInAddressList",
    "isInMultiTenantOrganization", "isServiceProvider", "onPremisesExtensionAttributes",
    "proxyAddresses", "/Date(1685138723000)/", CONTOSO_ID, FABRIKAM_ID,
    "00000000-0000-0000-0000-000000000000", "fabrikam.onmicrosoft.com", "contoso.com"]]
write_dict("graph_import", "Graph JSON: the properties and values the importer reads (graph/src/import/).",
           graph_tokens + ["{", "}", "[", "]", ":", ",", "null", "true", "false", "\\u0000", "\x00"])
PY
