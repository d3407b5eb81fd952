"""Microsoft's tutorial "Configure cross-tenant synchronization using PowerShell or Microsoft
Graph API" (steps 2 to 12, target and source), run through Microsoft's Python SDK (PyPI msgraph-sdk) against
`mtosim serve`, with the tutorial's request bodies: instantiate the cross-tenant sync
application, find its service principal, test the connection, create the job, save the
credentials, assign a user, start the job; the operator moves the clock an hour; the user's
account is in the target and the source's provisioning log has its record. Every response must
parse into the SDK's models with no property the SDK does not know.

    python cts_tutorial.py READY_FILE
"""
import asyncio
import json
import sys
import urllib.request

from kiota_abstractions.base_request_configuration import RequestConfiguration
from mto_tutorial import client, known_only, operator
from msgraph.generated.application_templates.item.instantiate.instantiate_post_request_body import (
    InstantiatePostRequestBody,
)
from msgraph.generated.models.app_role_assignment import AppRoleAssignment
from msgraph.generated.models.cross_tenant_access_policy_configuration_partner import (
    CrossTenantAccessPolicyConfigurationPartner,
)
from msgraph.generated.models.cross_tenant_identity_sync_policy_partner import CrossTenantIdentitySyncPolicyPartner
from msgraph.generated.models.cross_tenant_user_sync_inbound import CrossTenantUserSyncInbound
from msgraph.generated.models.inbound_outbound_policy_configuration import InboundOutboundPolicyConfiguration
from msgraph.generated.models.synchronization_job import SynchronizationJob
from msgraph.generated.models.synchronization_secret import SynchronizationSecret
from msgraph.generated.models.synchronization_secret_key_string_value_pair import (
    SynchronizationSecretKeyStringValuePair,
)
from msgraph.generated.service_principals.item.synchronization.jobs.item.validate_credentials.validate_credentials_post_request_body import (
    ValidateCredentialsPostRequestBody,
)
from msgraph.generated.service_principals.item.synchronization.secrets.secrets_put_request_body import (
    SecretsPutRequestBody,
)
from msgraph.generated.service_principals.service_principals_request_builder import (
    ServicePrincipalsRequestBuilder,
)
from msgraph.generated.users.users_request_builder import UsersRequestBuilder

TEMPLATE = "518e5f48-1fc8-4c48-9387-9fdf28b0dfe7"


def pair(key, value):
    return SynchronizationSecretKeyStringValuePair(key=SynchronizationSecret(key), value=value)


async def main(ready_file):
    ready = json.load(open(ready_file))
    url = ready["url"]
    by_name = {t["name"]: t for t in ready["tenants"]}
    target, source = by_name["contoso"], by_name["fabrikam"]
    src, _ = client(url, source["token"])
    tgt, _ = client(url, target["token"])

    # Step 2 (target): a partner configuration for the source
    partners = tgt.policies.cross_tenant_access_policy.partners
    p = await partners.post(CrossTenantAccessPolicyConfigurationPartner(tenant_id=source["tenantId"]))
    known_only(p, "POST partners (target)")
    # Step 3 (target): enable user synchronization in the target tenant
    await partners.by_cross_tenant_access_policy_configuration_partner_tenant_id(
        source["tenantId"]
    ).identity_synchronization.put(
        CrossTenantIdentitySyncPolicyPartner(
            display_name="Fabrikam", user_sync_inbound=CrossTenantUserSyncInbound(is_sync_allowed=True)
        )
    )
    # Step 4 (target): automatically redeem invitations in the target tenant
    await partners.by_cross_tenant_access_policy_configuration_partner_tenant_id(source["tenantId"]).patch(
        CrossTenantAccessPolicyConfigurationPartner(
            automatic_user_consent_settings=InboundOutboundPolicyConfiguration(inbound_allowed=True)
        )
    )
    got = await partners.by_cross_tenant_access_policy_configuration_partner_tenant_id(source["tenantId"]).get()
    known_only(got, "GET partner (target)")
    assert got.automatic_user_consent_settings.inbound_allowed is True, got
    # Step 5 (source): automatically redeem invitations in the source tenant
    p = await src.policies.cross_tenant_access_policy.partners.post(
        CrossTenantAccessPolicyConfigurationPartner(
            tenant_id=target["tenantId"],
            automatic_user_consent_settings=InboundOutboundPolicyConfiguration(outbound_allowed=True),
        )
    )
    known_only(p, "POST partners (source)")

    # Step 6: create a configuration (instantiate the cross-tenant synchronization application)
    created = await src.application_templates.by_application_template_id(TEMPLATE).instantiate.post(
        InstantiatePostRequestBody(display_name="Fabrikam")
    )
    known_only(created, "instantiate")
    known_only(created.service_principal, "instantiate.servicePrincipal")
    known_only(created.application, "instantiate.application")
    sp = created.service_principal.id
    role = created.service_principal.app_roles[0].id

    # find it the way the tutorial does: $filter on the display name
    q = ServicePrincipalsRequestBuilder.ServicePrincipalsRequestBuilderGetQueryParameters(
        filter="displayName eq 'Fabrikam'"
    )
    found = await src.service_principals.get(request_configuration=RequestConfiguration(query_parameters=q))
    known_only(found, "GET servicePrincipals")
    assert [p.id for p in found.value] == [sp], found.value

    credentials = [pair("CompanyId", target["tenantId"]), pair("AuthenticationType", "SyncPolicy")]
    sync = src.service_principals.by_service_principal_id(sp).synchronization

    # Step 7: test the connection to the target tenant
    await sync.jobs.validate_credentials.post(
        ValidateCredentialsPostRequestBody(use_saved_credentials=False, template_id="Azure2Azure", credentials=credentials)
    )

    # Step 8: create a provisioning job
    job = await sync.jobs.post(SynchronizationJob(template_id="Azure2Azure"))
    known_only(job, "POST jobs")
    assert job.template_id == "Azure2Azure", job

    # Step 9: save the credentials
    await sync.secrets.put(SecretsPutRequestBody(value=credentials))

    # Step 10: assign a user to the configuration
    users = await src.users.get()
    known_only(users, "GET users")
    ann = next(u for u in users.value if u.user_principal_name == "ann@fabrikam.com")
    assignment = await src.service_principals.by_service_principal_id(sp).app_role_assigned_to.post(
        AppRoleAssignment(app_role_id=role, resource_id=sp, principal_id=ann.id)
    )
    known_only(assignment, "POST appRoleAssignedTo")

    # Step 12: start the provisioning job
    await sync.jobs.by_synchronization_job_id(job.id).start.post()
    job = await sync.jobs.by_synchronization_job_id(job.id).get()
    known_only(job, "GET job")

    # an hour of simulated time: the initial cycle runs
    operator(url, ready["operatorToken"], "/mtosim/clock/advance", {"by": "PT1H"})

    # the account is in the target, and the source's provisioning log has its record
    q = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
        filter="userPrincipalName eq 'ann_fabrikam.com#EXT#@contoso.onmicrosoft.com'"
    )
    arrived = await tgt.users.get(request_configuration=RequestConfiguration(query_parameters=q))
    assert len(arrived.value) == 1, arrived.value
    known_only(arrived.value[0], "the synced account")
    assert arrived.value[0].user_type == "Member", arrived.value[0].user_type
    logs = await src.audit_logs.provisioning.get()
    known_only(logs, "GET auditLogs/provisioning")
    assert any(r.source_identity and r.source_identity.id == ann.id for r in logs.value), logs.value
    for r in logs.value:
        known_only(r, "a provisioning record")
    print("cts_tutorial.py: the tutorial held through msgraph-sdk")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
