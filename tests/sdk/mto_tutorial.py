"""Microsoft's tutorial "Configure a multitenant organization using the Microsoft Graph API",
run through Microsoft's own Python SDK (PyPI msgraph-sdk) against `mtosim serve`, with the
tutorial's request bodies. Every response must parse into the SDK's models with no property the
SDK does not know (`additional_data` holds nothing but OData annotations).

    python mtosim_tutorial.py READY_FILE

READY_FILE is the file `mtosim serve --ready-file` wrote. Exits 0 when every step held.
"""
import asyncio
import json
import sys
import urllib.request

from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.multi_tenant_organization import MultiTenantOrganization
from msgraph.generated.models.multi_tenant_organization_join_request_record import (
    MultiTenantOrganizationJoinRequestRecord,
)
from msgraph.generated.models.multi_tenant_organization_member import MultiTenantOrganizationMember
from msgraph.generated.models.multi_tenant_organization_member_role import (
    MultiTenantOrganizationMemberRole,
)
from msgraph.generated.models.multi_tenant_organization_member_state import (
    MultiTenantOrganizationMemberState,
)


class StaticToken(AccessTokenProvider):
    """A bearer token from the ready file, for any host (the server is local)."""

    def __init__(self, token):
        self.token = token

    async def get_authorization_token(self, uri, additional_authentication_context=None):
        return self.token

    def get_allowed_hosts_validator(self):
        return AllowedHostsValidator([])


def client(url, token):
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(StaticToken(token)))
    adapter.base_url = url + "/v1.0"
    return GraphServiceClient(request_adapter=adapter), adapter


async def send_as(adapter, method, url, body):
    """A request the SDK's builders do not offer (they lack PUT on the MTO, PATCH on beta's
    identity synchronization policy): the SDK's own request information, serializer and
    parser, with the method set; the model class is the one of `body`'s SDK (v1.0 or beta).
    Answers the parsed body, or None for 204."""
    from kiota_abstractions.method import Method
    from kiota_abstractions.request_information import RequestInformation

    ri = RequestInformation()
    ri.http_method = Method[method]
    ri.url = url
    ri.headers.try_add("Accept", "application/json")
    ri.set_content_from_parsable(adapter, "application/json", body)
    return await adapter.send_async(ri, type(body), {})


async def put_mto(adapter, url, body, version="v1.0"):
    """The tutorial's PUT of the multitenant organization."""
    return await send_as(adapter, "PUT", f"{url}/{version}/tenantRelationships/multiTenantOrganization", body)


def known_only(obj, where):
    """Fails when the SDK parsed a property it does not know into additional_data."""
    extra = {k: v for k, v in (getattr(obj, "additional_data", None) or {}).items() if not k.startswith("@odata.")}
    assert not extra, f"{where}: properties unknown to the SDK: {extra}"


def operator(url, token, path, body):
    req = urllib.request.Request(
        url + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req) as r:
        return json.load(r)


async def main(ready_file):
    ready = json.load(open(ready_file))
    url = ready["url"]
    by_name = {t["name"]: t for t in ready["tenants"]}
    cairo, berlin = by_name["cairo"], by_name["berlin"]
    (owner, owner_adapter), (member, _) = client(url, cairo["token"]), client(url, berlin["token"])

    # Step 2 of the tutorial (owner): create the multitenant organization
    created = await put_mto(owner_adapter, url, MultiTenantOrganization(display_name="Cairo"))
    known_only(created, "PUT multiTenantOrganization")
    mto = await owner.tenant_relationships.multi_tenant_organization.get()
    known_only(mto, "GET multiTenantOrganization")
    assert mto.display_name == "Cairo", mto

    # Step 3 (owner): add Berlin as a member tenant
    added = await owner.tenant_relationships.multi_tenant_organization.tenants.post(
        MultiTenantOrganizationMember(tenant_id=berlin["tenantId"], display_name="Berlin")
    )
    known_only(added, "POST tenants")
    assert added.role == MultiTenantOrganizationMemberRole.Member, added.role
    listed = await owner.tenant_relationships.multi_tenant_organization.tenants.get()
    known_only(listed, "GET tenants")
    for m in listed.value:
        known_only(m, "a member")
    states = {m.tenant_id: m.state for m in listed.value}
    assert states[berlin["tenantId"]] == MultiTenantOrganizationMemberState.Pending, states

    # Step 8 (member): join, naming the owner as the adder
    await member.tenant_relationships.multi_tenant_organization.join_request.patch(
        MultiTenantOrganizationJoinRequestRecord(added_by_tenant_id=cairo["tenantId"])
    )
    record = await member.tenant_relationships.multi_tenant_organization.join_request.get()
    known_only(record, "GET joinRequest")

    # a join takes up to 2 hours: the operator moves the simulated clock
    operator(url, ready["operatorToken"], "/mtosim/clock/advance", {"by": "PT2H"})

    # both see Berlin active
    for who, c in (("owner", owner), ("member", member)):
        listed = await c.tenant_relationships.multi_tenant_organization.tenants.get()
        states = {m.tenant_id: m.state for m in listed.value}
        assert states[berlin["tenantId"]] == MultiTenantOrganizationMemberState.Active, (who, states)
    mto = await member.tenant_relationships.multi_tenant_organization.get()
    assert mto.display_name == "Cairo", mto

    # the owner updates the organization (multiTenantOrganization-update), which every member reads
    await owner.tenant_relationships.multi_tenant_organization.patch(
        MultiTenantOrganization(description="Cairo and Berlin")
    )
    mto = await member.tenant_relationships.multi_tenant_organization.get()
    assert (mto.display_name, mto.description) == ("Cairo", "Cairo and Berlin"), mto

    # the owner makes Berlin an owner too (multiTenantOrganizationMember-update), then Berlin
    # reads its own entry by id
    berlin_entry = owner.tenant_relationships.multi_tenant_organization.tenants.by_multi_tenant_organization_member_id(
        berlin["tenantId"]
    )
    await berlin_entry.patch(MultiTenantOrganizationMember(role=MultiTenantOrganizationMemberRole.Owner))
    own = await member.tenant_relationships.multi_tenant_organization.tenants.by_multi_tenant_organization_member_id(
        berlin["tenantId"]
    ).get()
    known_only(own, "GET tenants/{id}")
    assert own.role == MultiTenantOrganizationMemberRole.Owner, own.role
    print("mto_tutorial.py: the tutorial held through msgraph-sdk")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
