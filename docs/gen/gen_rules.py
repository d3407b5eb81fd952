# Regenerates docs/rules.md from the status tables beside this file, the scenarios (run with
# ./target/debug/mtosim, so `cargo build` first) and the test names. Run from the repository root:
#   cargo build && python3 docs/gen/gen_rules.py
import re, os, subprocess, glob
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
# scenario citations
cited = {}
for f in sorted(glob.glob('scenarios/*.toml')):
    out = subprocess.run(['./target/debug/mtosim','run',f],capture_output=True,text=True).stdout
    for m in re.finditer(r'\[((?:(?:MTO|CTS|XTAP|SEED|SIM)-\d+(?:, )?)+)\]\s*$', out, re.M):
        for r in m.group(1).split(', '):
            cited.setdefault(r,set()).add(os.path.basename(f))
# test names
tests=[]
for f in sorted(f for d in ['engine/src','engine/tests','graph/src','scenario/src','render/src','src','tests','benches'] for f in glob.glob(d+'/**/*.rs', recursive=True)):
    tests+= re.findall(r'fn ([a-z0-9_]+)\(\)', open(f).read())
tcite={}
for t in tests:
    for m in re.finditer(r'(mto|cts|xtap|seed|sim)((?:_\d+)+)', t):
        for n in m.group(2).strip('_').split('_'):
            tcite.setdefault(f"{m.group(1).upper()}-{n}",[]).append(t)
rows={}
for line in open('docs/gen/mto-status.md'):
    m=re.match(r'\| (MTO-\d+) \| ([^|]*) \| ([^|]*) \| ([^|]*) \| ([^|]*) \|', line)
    if m: rows[m.group(1)]=[x.strip() for x in m.groups()]
over = {
 'MTO-10': ('design decision','Creation completes at once (the docs say "a few minutes"; nothing observable depends on it). See ARCHITECTURE.md.'),
 'MTO-13': ('modelled','An active owner\'s create updates the MTO; from any other tenant active in an MTO it is refused (MTO-3, Request_BadRequest).'),
 'MTO-21': ('modelled','null right after add; notStarted once a join is queued or a role change is queued (MTO-24).'),
 'MTO-25': ('modelled','Removal (MTO-37) and demotion (set-role) of the last active owner are refused; checked as an invariant after every step.'),
 'MTO-27': ('modelled','Join delay up to 2 h (GA, Graph), 4 h (preview, and Microsoft 365 flows in both); `max` or `random`; named options `join_delay`, `join_min_wait` (the 2023 "wait 2 h after creation").'),
 'MTO-28': ('modelled','Record lifecycle none → notStarted → running → (succeeded: transitionDetails null, as documented) or failed with details; preview variant right after submit. Checked with `join_request`.'),
 'MTO-37': ('modelled','Refused with Request_BadRequest (MTO-90 suggestion). The Microsoft 365 wording (a last owner can never leave) is not a separate mode.'),
 'MTO-40': ('modelled','Asynchronous, up to 2 h in both rule sets: the longest documented delay (Graph beta multitenantorganization-delete-tenants.md @ 08ecdba7: "you must wait for up to 2 hours before removal of a tenant is completed"; the v1.0 page @ a9a561cf gives no time; the how-to multi-tenant-organization-configure-graph.md @ 99fdc9b3 says "a few minutes", where random delays start: 2 min). Option `removal_delay` (e.g. "5m"). Active tenants show `removed`, pending ones keep `pending` with desiredState removed; then absent.'),
 'MTO-45': ('modelled','5 active tenants and 100,000 internal users at join (Graph); the Microsoft 365 flow also checks both at create and add. Options `max_active_tenants`, `internal_users_max`.'),
 'MTO-46': ('modelled','100 active tenants at join; the Microsoft 365 flow also checks at add. Option `max_active_tenants`.'),
 'MTO-47': ('named option','`internal_users_max` enables the cap under GA (off by default; preview 100,000).'),
 'MTO-57': ('modelled','Set on both sides when a join completes, cleared on both sides when a removal completes (sim note), in both rule sets.'),
 'MTO-66': ('modelled','Null consent and sync settings are effectively false (XTAP-3); isSyncAllowed false makes the next cycle stop (CycleBlocked) and leaves synced users alone.'),
 'MTO-67': ('modelled','`via = "m365"` on create-mto, add-tenant, join sets the acting tenant\'s templates. Reuse of an existing organizational relationship = existing partner settings, updated by the templates at join.'),
 'MTO-68': ('modelled','share-users runs the CTS-5 checks and refuses with CTS-6\'s error while the target does not allow inbound sync.'),
 'MTO-70': ('modelled','`MTO_Sync_<targetTenantId>` created stopped at join for Microsoft 365-managed tenants; share-users creates missing ones and starts them (sim note).'),
 'MTO-72': ('modelled','delete-sync deletes any configuration, MTO_Sync ones included (CTS-50); the next share-users recreates a missing MTO_Sync configuration (MTO-70), the documented "may be recreated".'),
 'MTO-71': ('modelled','share-users and unshare-users manage configurations by their `MTO_Sync_<tenantId>` name, as the console does. There is no rename verb: a renamed configuration is simulated by create-sync under another name, which the console flows leave alone (MTO-73).'),
 'MTO-73': ('modelled','create-sync makes Entra admin center configurations; they run alongside MTO_Sync ones and share-users and unshare-users never touch them.'),
 'MTO-56': ('modelled','Created pairwise at join, all properties null, with an identity sync policy. While two tenants are active in the same MTO, `delete-partner` and `delete-sync-policy` between them are refused (Request_BadRequest): the overview says "Each active tenant must have cross-tenant access settings for all active tenants" (multi-tenant-organization-overview.md @ 01b87def), and no page says the service allows otherwise. Checked after every step as INV-13. Leaving reverts nothing, so the settings stay and can be deleted then.'),
 'MTO-54': ('named option','The pages disagree (known issues @ 07cd7acd list Azure Government and 21Vianet MTOs as unsupported; its 2026 revision and the Microsoft 365 FAQ @ 334abe64 say MTOs are available within GCC, GCC-H and DoD, same cloud only). Default, the newest reading: `cloud = "gcc"` and `"usgov"` tenants form MTOs among themselves, `"china"` (21Vianet) never; on `usgov` create, add and join go through the Microsoft 365 admin center, since Graph\'s multitenant organization APIs are global-service only (the API pages\' national cloud tables). `national_cloud_mto = false`: commercial only.'),
 'MTO-53': ('modelled','Security Administrator is the least privileged role for every multitenant organization write (create, update, add, role, join, remove) and the MTO templates (the Graph v1.0 pages); the Microsoft 365 admin center flows (create, add or join through it, share users) take a Global Administrator ("Sign in ... as a global administrator"). Refused with 403 Authorization_RequestDenied naming the roles that are enough. A step without `as` acts as a Global Administrator. Reads and Graph permission scopes are not simulated.'),
 'MTO-33': ('modelled','B2B users of userType Member (invited or synchronized) whose home tenant is active in the same MTO count as MTO members from the moment both are active; guests do not. Graph has no per-user property for it (the overview: existing members "will now be recognized as multitenant organization members"), so it is derived, and checked with `expect` `mto_members`.'),
 'MTO-83': ('modelled','`reset-redemption` on a redeemed B2B user is refused while the tenant is in an MTO (the MTO limitations: "reset redemption for an already redeemed B2B user is currently disabled"); outside one the account is PendingAcceptance again.'),
 'MTO-85': ('named option','Mail contacts (`[[tenant.contact]]`) are never converted or removed; provisioning a user whose mail a contact holds fails with InvitationCreationFailureAmbiguousUser by default (`contacts_collide`; the known issues say B2B provisioning "might collide with contact objects"), or, with the option off, the account is created beside the contact (the duplicate search results the Microsoft 365 pages mention).'),
 'MTO-84': ('not applicable','A preview-era property of invited users (home tenant id) with no effect on any modelled outcome.'),
 'MTO-74': ('modelled','Same scope to every other active tenant; tenants that join later get it when the admin shares again ("Share current user scope"); unshare-users rewrites every MTO_Sync configuration.'),
 'MTO-75': ('modelled','Accounts carry the source values of the default attributes (givenName, surname, displayName, mail, mailNickname, department, jobTitle, companyName, country, city, state, streetAddress, postalCode, usageLocation, employeeId, ...) with userType Member; users.json and users.csv export them. Custom mappings and expressions are not modelled.'),
 'MTO-76': ('modelled','New accounts are Members (INV-6); a matched invited guest stays a Guest unless the mapping applies always (CTS-26, CTS-28); what-if reports every synced account as shown in the address list.'),
 'MTO-78': ('modelled','40-minute cycles are modelled (CTS-41); the 24 h / 7 day visibility in Microsoft 365 services is not applicable (no Microsoft 365 service is simulated).'),
 'MTO-80': ('modelled','unshare-users soft-deletes out-of-scope accounts, unless the configuration\'s Delete action is off (create-sync `delete_action = false`, CTS-43).'),
 'MTO-77': ('modelled','what-if reports the prerequisites sync controls (every synced account a Member shown in the address list); Teams, people search and Exchange themselves are not simulated.'),
 'MTO-81': ('modelled','Restore within 30 days, purge after 30 (CTS-46); a disabled source user becomes a disabled account (CTS-44); delete-sync keeps the accounts it made (CTS-50).'),
 'MTO-87': ('modelled','A removed tenant is absent from every member list in the export.'),
 'MTO-89': ('modelled','Retry by reset-join then join; the 2-hour advice is narrated nowhere as a rule, since the console only advises it.'),
 'MTO-90': ('modelled','Rule violations: 400 Request_BadRequest; caller-role violations: 403 Authorization_RequestDenied (sim note). Join failures carry no code (MTO-88).'),
}
def key(r): return int(r.split('-')[1])
out=[]
out.append('# Rule index\n')
out.append('Every rule mtosim knows, with its status in mtosim, the tests that pin it (unit and integration test')
out.append('names carry rule ids) and the scenarios whose narration cites it. The index was compiled from the team\'s')
out.append('reference notes on Microsoft\'s documentation: MTO-n for multitenant organizations, XTAP-n for cross-tenant')
out.append('access settings, CTS-n for cross-tenant synchronization. The Microsoft pages behind each rule are listed in')
out.append('[rule-sources.tsv](rule-sources.tsv), and `mtosim explain RULE` prints them with the rule. Statuses:')
out.append('**modelled**; **named option** (a `[scenario]` key, where the docs conflict or are silent and users may')
out.append('disagree); **design decision** (documented in ARCHITECTURE.md); **not applicable** (with the reason);')
out.append('**later** (the issue that brings it). `SEED-n` are claims of the seed article (the 2023 walkthrough of')
out.append('the preview that `scenarios/seed-walkthrough.toml` replays) that no Microsoft page makes; they apply to')
out.append('`preview-2023` only. The scenario file format is described in [scenario-format.md](scenario-format.md).\n')
out.append('Regenerate it with `cargo build && python3 docs/gen/gen_rules.py` after changing tests, scenarios or the status tables in `docs/gen/`; `tests/docs.rs` checks that')
out.append('every MTO id and every id the engine cites is listed here.\n')
out.append('## MTO rules\n')
out.append('| id | tags | rule | status | notes | tests | scenarios |')
out.append('|---|---|---|---|---|---|---|')
for r in sorted(rows, key=key):
    _, tag, summ, st, note = rows[r]
    if r in over: st, note = over[r]
    t = ', '.join(f'`{x}`' for x in tcite.get(r,[])) or ''
    sc = ', '.join(sorted(cited.get(r,[])))
    note = note.replace('|','\\|')
    out.append(f'| {r} | {tag} | {summ} | {st} | {note} | {t} | {sc} |')
out.append('\n## Seed article claims (preview-2023 only)\n')
out.append('| id | claim | status | tests | scenarios |')
out.append('|---|---|---|---|---|')
seed={'SEED-1':'up to five tenants per MTO (matches MTO-45)','SEED-2':'at most 100,000 users synchronize from one tenant to another','SEED-3':'the MTO is dissolved when the owning tenant exits','SEED-4':'only tenants on targeted release can participate (matches MTO-49)',
 'SEED-5':'some tenants need their synchronization setting changed from Manual to Automatic: the tenant key `m365_sync_mode = "manual"` saves the Microsoft 365 configurations toward that tenant in Provisioning Mode Manual, share-users leaves them idle, and set-provisioning-mode runs the test connection and turns provisioning on (CTS-75); the GA pages say nothing of it, so it stays a named option under both rule sets',
 'SEED-6':'granular control per tenant by editing the individual Entra configurations, while the default synchronizes the same users with all tenants: assign, set-scoping-filter and set-mapping on an MTO_Sync configuration; the next share-users or unshare-users gives every MTO_Sync configuration the console\'s one scope (MTO-74: "Edit shared users" rewrites the scope of every configuration), overwriting per-tenant assignments; filters and mappings are not part of that scope and stay; named option `m365_keeps_tenant_edits` keeps per-tenant assignments',
 'SEED-7':'synchronized accounts do not (yet) influence Exchange, Planner, Viva Engage or SharePoint Online: not applicable, no Microsoft 365 workload is simulated',
 'SEED-8':'synchronized accounts are members whose UPN looks like a guest\'s (#EXT#): modelled by CTS-28 and CTS-30',
 'SEED-9':'participants will need Entra ID P1 licences at GA: modelled as MTO-52\'s P1 warning',
 'SEED-10':'an owning tenant can be in only one MTO: modelled by MTO-3',
 'SEED-11':'each member tenant\'s administrator must join explicitly: modelled by MTO-26',
 'SEED-12':'Entra shows the Microsoft 365 configuration as MTO_Sync_<tenantIdentifier>: modelled by MTO-70',
 'SEED-13':'tenants can leave an MTO at any time: modelled by MTO-42'}
for r,c in seed.items():
    st = 'not applicable' if r == 'SEED-7' else 'modelled' 
    out.append(f"| {r} | {c} | {st} | {', '.join('`'+x+'`' for x in tcite.get(r,[]))} | {', '.join(sorted(cited.get(r,[])))} |")
out.append('\n## Cross-tenant access (XTAP) and synchronization (CTS) rules\n')
out.append('Every cross-tenant access (XTAP-n) and cross-tenant synchronization (CTS-n) rule of the reference notes.\n')
out.append('| id | rule | status | notes | tests | scenarios |')
out.append('|---|---|---|---|---|---|')
crows={}
for line in open('docs/gen/cts-status.md'):
    m=re.match(r'\| ((?:XTAP|CTS)-\d+) \| ([^|]*) \| ([^|]*) \| ?([^|]*) ?\|', line)
    if m: crows[m.group(1)]=[x.strip() for x in m.groups()]
cover = {
 'XTAP-9': ('modelled','`delete-partner` deletes the identity sync policy first, then the partner configuration (two calls, as an administrator does); `sync_policy_too = false` is one Graph DELETE of the partner, refused while the policy exists (crosstenantaccesspolicyconfigurationpartner-delete.md @ 02b4cba0: "you must first delete the user synchronization policy"; no error code is documented, so Request_BadRequest); `delete-sync-policy` deletes the policy alone.'),
 'XTAP-10': ('modelled','Turning inbound sync off makes the next cycle fail the policy check for every object: the job is quarantined (EncounteredQuarantineException, CTS-52) and retried (CTS-53); synced users are untouched.'),
 'XTAP-20': ('modelled','The MTO templates: see MTO-56..69 above.'),
 'XTAP-8': ('modelled','Create/update/delete of the identity sync policy through `set-partner sync_inbound` and `delete-partner`; the duplicate/not-found errors cannot arise from these verbs (delete of a missing partner gives Directory_ObjectNotFound). No roles are simulated.'),
 'CTS-70': ('modelled','See MTO-70..74: `MTO_Sync_<targetTenantId>`, same scope for all, Entra-made configurations invisible to the Microsoft 365 flow.'),
 'CTS-62': ('modelled','`--out` writes `provisioning.jsonl` per source tenant: provisioningAction, status, error codes, skip reasons (StagedAction, RedundantExport, NotEffectivelyEntitled), cycleId, changeId, jobId.'),
 'CTS-71': ('modelled','`users = { csv = ... }` imports a Download-users export; `--out` writes users.csv in the same format. Filters and bulk-operation results are not applicable (no portal).'),
 'CTS-72': ('modelled','The documented header imports in any column order (fixtures/csv/fabrikam-documented.csv).'),
 'CTS-73': ('modelled','The observed 29-column header imports (fixtures/csv/contoso-observed.csv) and is the header of the users.csv export, with formula cells neutralised. The `id`, `createdDateTime` (`8/19/2021 1:25:31 PM`, UTC) and `directorySynced` columns are kept: imported users show the customer\'s own ids and creation times.'),
 'CTS-74': ('modelled','users.json lists userType, `#EXT#` UPNs, creationType Invitation, externalUserState and identities (issuer: the home tenant\'s initial domain, a documented choice).'),
 'CTS-34': ('modelled','A null source value is not written: the account keeps the value its mapping wrote before (the stored values of issue 12); nothing clears a value.'),
 'CTS-25': ('modelled','A source user whose mail is on a domain the source has not verified fails creation (InvitationCreationFailureInvalidPropertyValue: no code is documented, so the invalid-property-value failure of CTS-9), retried each cycle. Two source users sharing one mail get one account each: the known issue\'s single shared account is a defect of the service that mtosim does not reproduce, since one account per person (INV-7) is what every other rule relies on.'),
 'CTS-14': ('modelled','`scope = "assigned"` (default) or `"all"` at create-sync; `set-scope` switches an existing configuration. From all to assigned, accounts of users no longer in scope stay until a restart re-evaluates everyone (provisioning known issues, docs/identity/app-provisioning/known-issues.md @ 0f0b8621: "After you change scope from Sync All to Sync Assigned, make sure to also perform a restart"); to all, the next cycle is an initial one (our reading: nothing is documented for that direction).'),
 'CTS-67': ('named option','The pages conflict: the newest cross-tenant synchronization overview (@ 0136e7d5, 04/27/2026, and @ 3164b3b5) says "only one sync instance can exist between a source and a target"; the Microsoft 365 sync page (sync-users-multi-tenant-orgs.md @ 09bc418d, 2024) says several are possible (one recommended); the MTO known issues (@ 07cd7acd, 2024) suggest two. The newest reading is the default under ga: a second create-sync for a pair is refused (Request_BadRequest); `one_config_per_pair = false`, the preview-2023 default, allows it with a warning. Microsoft 365 MTO_Sync configurations are made by share-users and are not refused (MTO-73 says they run alongside Entra-made ones).'),
 'XTAP-17': ('named option','B2B collaboration inbound and outbound with user, group and application targets, in partner configurations and the default configuration (`[tenant.default_access]`; a partner\'s null inherits it, XTAP-2). What sync does with a user they leave out is undocumented (OQ-3): with `b2b_inbound_blocks_sync` (default on) provisioning fails with InvitationCreationFailure and is retried each cycle, for the target\'s inbound and the source\'s outbound; off, sync ignores them. `invite-guest` is refused with the documented messages (docs/external-id/troubleshoot.md @ 03376f16). Application targets do not decide whether an account exists. Domain allow/block lists are not simulated.'),
 'XTAP-18': ('modelled','`cloud_settings` on each tenant (the clouds enabled in Microsoft cloud settings) and `cross_cloud_sync` on the target\'s partner configuration for the source: a `create-sync` with `cross_cloud = true` toward another cloud is refused unless both tenants enable each other\'s cloud (Request_BadRequest; no error is documented) and the target ticks cross-cloud synchronization (AzureActiveDirectoryTokenExpired, CTS-8). The service principal the checkbox creates is not simulated.'),
 'CTS-8': ('modelled','The test connection of `create-sync` toward a tenant of another cloud: without `cross_cloud = true`, ExternalTenantNotFound with the documented text; without the target\'s cross-cloud synchronization checkbox for the source, AzureActiveDirectoryTokenExpired ("The identity of the calling application could not be established."), as cross-tenant-synchronization-configure.md troubleshooting says. Empty Tenant Name / Tenant ID columns are portal-only.'),
 'CTS-13': ('modelled','Cross-tenant synchronization within Microsoft Azure operated by 21Vianet (`cloud = "china"` on both) is refused (cross-tenant-synchronization-overview.md @ 0136e7d5, clouds table); commercial, GCC and Azure Government work, and pairs across clouds need CTS-8\'s settings. B2C and External ID tenants are not simulated.'),
 'XTAP-21': ('modelled','`[[tenant.admin]]` names administrators and their roles; a step `as` one of them is refused with 403 Authorization_RequestDenied, naming the roles that are enough, when none of theirs is: Security Administrator for partner configurations, identity sync policies and templates; Teams Administrator for partner configurations except identity synchronization settings (the XTAP write pages: "Teams Administrator - excluding identity synchronization settings") and never their deletion (its role definition has no partners/delete); Global Administrator always. The Graph permission scope is not simulated (no app tokens).'),
 'CTS-12': ('modelled','Hybrid Identity Administrator creates, configures (mappings, scoping, scope, group provisioning), starts, pauses, restarts and provisions on demand (cross-tenant-synchronization-configure.md, prerequisites; tenant-to-tenant job permissions belong to that role); Cloud Application Administrator or Application Administrator assign (Hybrid Identity Administrator too) and delete the configuration; Global Administrator always. Consent to Graph permissions (Privileged Role Administrator) has no verb.'),
 'XTAP-11': ('modelled','`group_sync_inbound` on the target\'s partner configuration (beta `identitySynchronization.groupSyncInbound.isSyncAllowed`, crosstenantgroupsyncinbound.md @ 1dfa7f9c): without it the group pass writes nothing and leaves synced groups alone, narrated once. Not written to partners.json, which follows the v1.0 metadata (the property is beta only).'),
 'CTS-63': ('modelled','Assigned security (static or dynamic) and Microsoft 365 groups become static security groups in the target (cross-tenant-synchronization-overview.md @ 0136e7d5, "What group types are supported?"); mail-enabled security and distribution groups and role-assignable groups are skipped; nested groups are not followed; members are the accounts of in-scope direct members. Group objects are in groups.json and `expect` `group` checks. Left out: the Governance/Suite licence (licences other than P1 are not simulated) and provisioning-log records for groups (the trace narrates them).'),
 'CTS-64': ('modelled','`provision_groups` on create-sync, `set-group-provisioning`: off by default, assigned groups are then skipped with EntityTypeNotSupported (cross-tenant-synchronization-configure.md, troubleshooting); refused with the scope "Sync all users and groups" (CTS-64, Request_BadRequest); provision-on-demand names users only, so groups are never provisioned on demand.'),
 'CTS-65': ('modelled','Only groups the group pass created are linked, so groups the target made itself are never touched; `update-group` in the target lasts until the source group changes (its version moves on a member or description change). Deletion of an unassigned group (Delete action on) is permanent: the pages do not say, and Entra restores only Microsoft 365 groups while the target group is a security group.'),
 'CTS-58': ('modelled','`provision-on-demand`: test connection first, disabled or deleted users not found, a full-cycle UPN rewrite (CTS-31), a duplicate after a target-side delete (CTS-47); an out-of-scope user is soft-deleted as in CTS-42. No rate limit.'),
 'CTS-51': ('modelled','`delete_threshold = N` (or `true` for 500) on create-sync; deletions and disables over it are held as StagedDelete, the job waits in quarantine (TooManyDeletes) for `allow-deletes` or `restart-sync reset = "ForceDeletes"`.'),
 'CTS-52': ('modelled','From 5,000 failures in a cycle: more than 40 % (EncounteredEscrowProportionThreshold), more than 40,000 (EncounteredTotalEscrowThreshold), more than 60,000 (EncounteredBaseEscrowThreshold, our reading of "base"); every call failing the policy check (EncounteredQuarantineException).'),
}
def ckey(r): p,n=r.split('-'); return (0 if p=='XTAP' else 1, int(n))
for r in sorted(crows, key=ckey):
    _, summ, st, note = crows[r]
    if r in cover: st, note = cover[r]
    t = ', '.join(f'`{x}`' for x in tcite.get(r,[])) or ''
    sc = ', '.join(sorted(cited.get(r,[])))
    note=note.replace('|','\\|')
    out.append(f'| {r} | {summ} | {st} | {note} | {t} | {sc} |')
out.append('\n## Simulator rules\n')
out.append('| id | rule | tests | scenarios |')
out.append('|---|---|---|---|')
SIM = {
 'SIM-1': 'A step names a user, account or configuration that does not exist when it runs (for example one whose creating step was refused). The loader already refuses names that never exist, with exit 2.',
 'SIM-2': 'A mapping mtosim does not model: editing the IsSoftDeleted mapping (deprovisioning follows the configuration\'s delete action, CTS-43), or reading objectId, netId, IsSoftDeleted, alternativeSecurityIds or showInAddressList as a direct source.',
 'SIM-3': 'A per-run cap on total work was reached (EVENTS_PER_RUN_MAX, CYCLE_OBJECTS_PER_RUN_MAX, RULE_EVALUATIONS_PER_RUN_MAX, EVENTS_PER_ADVANCE_MAX): the world stops there, the step is named and the run exits 2.',
 'SIM-5': 'Directory work takes a directory role (Microsoft Entra\'s least privileged roles by task): users need User Administrator; groups and their members Groups Administrator or User Administrator; invitations Guest Inviter or User Administrator; Global Administrator can do everything. A step `as` an administrator without one is refused with 403 Authorization_RequestDenied.',
 'SIM-4': 'A directory refuses a userPrincipalName whose domain the tenant has not verified (its domains and its initial onmicrosoft.com domain), as Graph does (user resource: "the domain must be present in the tenant\'s collection of verified domains"; Request_BadRequest).',
}
for r, text in SIM.items():
    out.append(f"| {r} | {text} | {', '.join('`'+x+'`' for x in tcite.get(r,[]))} | {', '.join(sorted(cited.get(r,[])))} |")
out.append('\n## Named options\n')
out.append('| `[scenario]` key | rules | default |')
out.append('|---|---|---|')
out.append('| `strict_removal` | MTO-36 | false (Graph\'s MTO-35 applies) |')
out.append('| `max_active_tenants` | MTO-45, MTO-46 | 5 (preview-2023), 100 (ga) |')
out.append('| `internal_users_max` | MTO-45, MTO-47 | 100,000 (preview-2023), none (ga) |')
out.append('| `join_delay` | MTO-27 | 4 h (preview-2023; Microsoft 365 flows in both), 2 h (ga, Graph) |')
out.append('| `join_min_wait` | MTO-27 | none (the 2023 texts asked for 2 h after creation) |')
out.append('| `removal_delay` | MTO-40 | 2 h (both: the longest documented, Graph beta page; the how-to says "a few minutes") |')
out.append('| `sync_internal_guests` | CTS-21 | false (the overview and known issues: internal guests are not synced) |')
out.append('| `b2b_inbound_blocks_sync` | XTAP-17 | true (a user left out by the target\'s B2B collaboration inbound or the source\'s outbound settings fails provisioning with InvitationCreationFailure) |')
out.append('| `m365_keeps_tenant_edits` | MTO-74, SEED-6 | false (share-users and unshare-users give every MTO_Sync configuration the console\'s one scope, overwriting per-tenant assignments; filters and mappings stay) |')
out.append('| `contacts_collide` | MTO-85, CTS-32 | true (a target mail contact with the user\'s mail fails provisioning with InvitationCreationFailureAmbiguousUser) |')
out.append('| `national_cloud_mto` | MTO-54 | true (multitenant organizations within GCC, GCC High and DoD, same cloud only: the newest known-issues revision and the Microsoft 365 FAQ) |')
out.append('| `one_config_per_pair` | CTS-67 | true under ga (the newest overview: "only one sync instance can exist between a source and a target"), false under preview-2023 (a second configuration is allowed, with a warning) |')
open('docs/rules.md','w').write('\n'.join(out)+'\n')
