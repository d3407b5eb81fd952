"""The multitenant organization tutorial's calls on `/beta`, through Microsoft's beta Python SDK
(PyPI msgraph-beta-sdk) against `mtosim serve`: create, add a member, join, the clock moved by
the operator, both tenants' member lists; then the partner configurations with their identity
synchronization policies (`$expand`, as the beta reference documents it), beta's
`groupSyncInbound` set and read back, the identity
synchronization template, and a refusal read as the SDK's `ODataError`. Every response must
parse into the beta SDK's models with no property the SDK does not know.

    python beta_sdk.py READY_FILE
"""
import asyncio
import json
import sys

from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.authentication import BaseBearerTokenAuthenticationProvider
from msgraph_beta import GraphRequestAdapter, GraphServiceClient
from msgraph_beta.generated.models.cross_tenant_group_sync_inbound import CrossTenantGroupSyncInbound
from msgraph_beta.generated.models.cross_tenant_identity_sync_policy_partner import CrossTenantIdentitySyncPolicyPartner
from msgraph_beta.generated.models.multi_tenant_organization import MultiTenantOrganization
from msgraph_beta.generated.models.multi_tenant_organization_join_request_record import (
    MultiTenantOrganizationJoinRequestRecord,
)
from msgraph_beta.generated.models.multi_tenant_organization_member import MultiTenantOrganizationMember
from msgraph_beta.generated.models.multi_tenant_organization_member_state import (
    MultiTenantOrganizationMemberState,
)
from msgraph_beta.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_beta.generated.policies.cross_tenant_access_policy.partners.partners_request_builder import (
    PartnersRequestBuilder,
)
from mto_tutorial import StaticToken, known_only, operator, put_mto, send_as


def beta_client(url, token):
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(StaticToken(token)))
    adapter.base_url = url + "/beta"
    return GraphServiceClient(request_adapter=adapter), adapter


async def main(ready_file):
    ready = json.load(open(ready_file))
    url = ready["url"]
    by_name = {t["name"]: t for t in ready["tenants"]}
    cairo, berlin = by_name["cairo"], by_name["berlin"]
    (owner, owner_adapter), (member, _) = beta_client(url, cairo["token"]), beta_client(url, berlin["token"])
    mto = owner.tenant_relationships.multi_tenant_organization

    created = await put_mto(owner_adapter, url, MultiTenantOrganization(display_name="Cairo"), "beta")
    known_only(created, "PUT beta multiTenantOrganization")
    got = await mto.get()
    known_only(got, "GET beta multiTenantOrganization")
    assert got.display_name == "Cairo", got

    added = await mto.tenants.post(MultiTenantOrganizationMember(tenant_id=berlin["tenantId"], display_name="Berlin"))
    known_only(added, "POST beta tenants")
    await member.tenant_relationships.multi_tenant_organization.join_request.patch(
        MultiTenantOrganizationJoinRequestRecord(added_by_tenant_id=cairo["tenantId"])
    )
    known_only(
        await member.tenant_relationships.multi_tenant_organization.join_request.get(), "GET beta joinRequest"
    )
    operator(url, ready["operatorToken"], "/mtosim/clock/advance", {"by": "PT2H"})
    for who, c in (("owner", owner), ("member", member)):
        listed = await c.tenant_relationships.multi_tenant_organization.tenants.get()
        for m in listed.value:
            known_only(m, f"{who}: a beta member")
        states = {m.tenant_id: m.state for m in listed.value}
        assert states[berlin["tenantId"]] == MultiTenantOrganizationMemberState.Active, (who, states)

    # the join created pairwise partner configurations with identity sync policies
    config = RequestConfiguration(
        query_parameters=PartnersRequestBuilder.PartnersRequestBuilderGetQueryParameters(
            expand=["identitySynchronization"]
        )
    )
    partners = await owner.policies.cross_tenant_access_policy.partners.get(request_configuration=config)
    known_only(partners, "GET beta partners")
    by_tenant = {p.tenant_id: p for p in partners.value}
    assert berlin["tenantId"] in by_tenant, by_tenant.keys()
    partner = by_tenant[berlin["tenantId"]]
    known_only(partner, "a beta partner")
    assert partner.is_in_multi_tenant_organization is True, partner
    assert partner.identity_synchronization is not None, partner
    known_only(partner.identity_synchronization, "a beta identity sync policy")
    # groupSyncInbound is beta's (XTAP-11): set it on the policy for Berlin, read it back
    policy = owner.policies.cross_tenant_access_policy.partners.by_cross_tenant_access_policy_configuration_partner_tenant_id(
        berlin["tenantId"]
    ).identity_synchronization
    await send_as(
        owner_adapter,
        "PATCH",
        f"{url}/beta/policies/crossTenantAccessPolicy/partners/{berlin['tenantId']}/identitySynchronization",
        CrossTenantIdentitySyncPolicyPartner(group_sync_inbound=CrossTenantGroupSyncInbound(is_sync_allowed=True)),
    )
    synced = await policy.get()
    known_only(synced, "GET beta identitySynchronization")
    assert synced.group_sync_inbound.is_sync_allowed is True, synced
    before = partner.identity_synchronization.user_sync_inbound
    assert synced.user_sync_inbound.is_sync_allowed == (before and before.is_sync_allowed), "a PATCH keeps what it omits"
    template = await owner.policies.cross_tenant_access_policy.templates.multi_tenant_organization_identity_synchronization.get()
    known_only(template, "GET beta identity synchronization template")

    # a refusal, in Graph's error body, as the SDK reads it
    try:
        await mto.tenants.post(MultiTenantOrganizationMember(tenant_id=berlin["tenantId"]))
        raise AssertionError("adding a member twice must be refused")
    except ODataError as e:
        assert e.response_status_code == 400, e.response_status_code
        assert e.error.code == "Request_BadRequest", e.error.code
        assert "already" in e.error.message, e.error.message
        assert e.error.inner_error is not None, e.error
    print("beta_sdk.py: the beta calls held through msgraph-beta-sdk")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
