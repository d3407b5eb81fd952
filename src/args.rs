//! The command line's flags and help texts (clap): one `Args` struct per subcommand, which
//! `cmd/` runs.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "mtosim",
    version,
    about = "Offline simulator for Microsoft Entra multitenant organizations and cross-tenant synchronization",
    long_about = "Plays a scenario file (tenants, their users and policies, and a timeline of admin actions and checks) \
on a simulated clock, and narrates every outcome with the documented rule behind it. No tenant, no credentials, no network.",
    after_help = "Examples:\n  mtosim new my-scenario\n  mtosim run scenarios/seed-walkthrough.toml\n  mtosim run scenarios/cts-full-mesh.toml --out views/\n  mtosim explain MTO-37\n  mtosim explore scenarios/explore-owner-handover.toml\n\nExit codes: 0 every check held; 1 a check or expect_error failed, or a step was refused unexpectedly; 2 the input could not be used (or a per-run cap stopped the world); 3 explore proved nothing (its cap stopped it before any complete order)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum SetArg {
    /// Today's documented behaviour.
    Ga,
    /// The 2023 preview (the seed article).
    #[value(name = "preview-2023")]
    Preview2023,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run a scenario and narrate what happens, then summarise every tenant.
    #[command(
        after_help = "Examples:\n  mtosim run scenarios/seed-walkthrough.toml\n  mtosim run scenarios/seed-walkthrough-ga.toml --out /tmp/ga-views\n  mtosim run scenarios/cts-quarantine.toml --json > events.jsonl\n  mtosim run my.toml --lenient        # skip unusable CSV rows instead of stopping"
    )]
    Run(RunArgs),
    /// Run a scenario and write its report: one self-contained HTML page (as `run --quiet
    /// --html FILE`).
    #[command(
        after_help = "The page needs no network: its styles, script and drawings are inline. It opens from disk\nor as an e-mail attachment and prints. Exit codes as for `mtosim run`.\n\nExamples:\n  mtosim report scenarios/seed-walkthrough.toml -o report.html\n  mtosim run scenarios/cts-full-mesh.toml --html mesh.html"
    )]
    Report(ReportArgs),
    /// Validate a scenario file without running it.
    #[command(after_help = "Example:\n  mtosim check scenarios/seed-walkthrough.toml")]
    Check(CheckArgs),
    /// List the documented rules mtosim cites, with their status in the simulator.
    #[command(after_help = "Examples:\n  mtosim rules\n  mtosim rules --set preview-2023")]
    Rules(RulesArgs),
    /// Explain one rule: what it says, where it is documented, how mtosim models it, and which
    /// scenarios show it.
    #[command(after_help = "Examples:\n  mtosim explain MTO-37\n  mtosim explain cts-30")]
    Explain(ExplainArgs),
    /// Evaluate one attribute-mapping expression against one user (the expression language of
    /// Entra provisioning: Append through Word).
    #[command(
        after_help = "With --json it prints {\"value\": <string, array or null>, \"flows\": true|false}. An invalid\nexpression exits 2 with its position. Now() reads --now (default 2024-01-01T00:00:00Z);\nGuid() and RandomString() draw from --seed.\n\nExamples:\n  mtosim expr 'Join(\" \", [givenName], [surname])' --attr givenName=Zoë --attr surname=Doe\n  mtosim expr 'ToLower(NormalizeDiacritics([givenName]))' --attr givenName=Zoë --json\n  mtosim expr 'IIF([country]=\"FR\",\"Europe\",\"Other\")' --attr country=FR\n  mtosim expr 'Coalesce([mail], [userPrincipalName])' --attr mail --attr userPrincipalName=a@contoso.com\n  mtosim expr 'Join(\",\", [proxyAddresses])' --attr proxyAddresses=SMTP:a@contoso.com --attr proxyAddresses=smtp:b@contoso.com"
    )]
    Expr(ExprArgs),
    /// Write a commented starter scenario to NAME.toml.
    #[command(after_help = "Example:\n  mtosim new acquisition && mtosim run acquisition.toml")]
    New(NewArgs),
    /// Count how many accounts would land where, against quotas and caps, with P1 licences and
    /// timing, without provisioning anything: from a scenario, or from the quick form.
    #[command(
        after_help = "A sweep writes sweep.csv and sweep.svg (accounts in the busiest tenant and the smallest quota\nheadroom against the swept value) to --out, and prints its CSV. Without a sweep the output is a\none-screen summary; --pairs adds the pair table, --json and --csv list every pair.\n\nExamples:\n  mtosim whatif scenarios/cts-full-mesh.toml\n  mtosim whatif scenarios/cts-full-mesh.toml --at 12 --json\n  mtosim whatif --tenants 100 --users 3000 --share 1 --topology mesh\n  mtosim whatif --tenants 5 --users 100000 --share 0.5 --rules preview-2023\n  mtosim whatif --tenants 20 --users 3000 --topology mesh --pairs\n  mtosim whatif --tenants 101 --users 3000 --share 1 --no-mto\n  mtosim whatif --users 3000 --topology mesh --sweep tenants=2..100 --out sweep/"
    )]
    Whatif(WhatifArgs),
    /// Search every order of a small scenario's action steps (at most 4 tenants) for a broken
    /// model invariant or a failing check, breadth-first; print the shortest counterexample as a
    /// runnable scenario.
    #[command(
        after_help = "Action steps are every step but wait, settle and expect; between any two, \"let pending\noperations complete\" (settle) and \"wait for the next pending event\" (next) are moves of their\nown. The steps after the last action step run at the end of every complete order. Exit codes:\n0 no violation; 1 a violation (its shortest counterexample is shown); 2 the input could not be used, or an engine per-run cap stopped the world on some order;\n3 inconclusive (the state cap or the work budget stopped the search before any complete order was checked).\n\nExamples:\n  mtosim explore scenarios/explore-owner-handover.toml\n  mtosim explore my.toml --depth 4 --max-states 20000\n  mtosim explore my.toml --out cx.toml; mtosim run cx.toml"
    )]
    Explore(ExploreArgs),
    /// Import Graph JSON exports (one folder per tenant, one file per Graph endpoint: the
    /// layout `run --out` writes) and write a scenario that starts from them.
    #[command(
        after_help = "Each DIR is a tenant's folder (it holds organization.json) or a folder of tenant folders.\nObject ids and createdDateTime are kept. The scenario names the folders (`import = [...]`,\nrelative to it) and takes the export's rule set, seed and time; add steps to it.\nExit code 2: an input could not be used (the file and JSON path are named); nothing is written.\n\nExamples:\n  mtosim run scenarios/cts-full-mesh.toml --out /tmp/a && mtosim import /tmp/a -o mesh.toml\n  mtosim import exports/contoso exports/fabrikam -o acquisition.toml"
    )]
    Import(ImportArgs),
    /// Check a world against every documented prerequisite, pair by pair and configuration
    /// by configuration: from Graph exports (as `import` reads them) or a scenario (after its
    /// steps).
    #[command(
        after_help = "Each finding names its rule, what the documented call would get, and the fix; then every\ntenant's quota headroom and what the input lacked, so could not be checked.\nExit codes: 0 no problem found; 1 problems found; 2 an input could not be used.\n\nExamples:\n  mtosim doctor exports/\n  mtosim doctor scenarios/doctor/missing-outbound.toml\n  mtosim doctor exports/contoso exports/fabrikam --json | jq '.findings[].rule'"
    )]
    Doctor(DoctorArgs),
    /// Serve a scenario's world as a local, stateful Microsoft Graph: each tenant gets a bearer
    /// token, the operator's token moves the simulated clock (see docs/serve.md).
    #[command(
        after_help = "The scenario's steps run first, as `mtosim run` would; then the server answers\n{url}/v1.0/tenantRelationships/multiTenantOrganization (with /tenants, /tenants/{tenantId},\n/joinRequest) and {url}/beta/..., and for the operator {url}/mtosim/clock, /mtosim/clock/advance,\n/mtosim/settle, /mtosim/events?after=N and (with --record) /mtosim/record. Ctrl-C stops it.\nExit code 2: the input or the address could not be used.\n\nExamples:\n  mtosim serve scenarios/seed-walkthrough-ga.toml\n  mtosim serve my.toml --listen 127.0.0.1:0 --ready-file /tmp/mtosim.json\n  mtosim serve my.toml --record session.toml\n  curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8787/v1.0/tenantRelationships/multiTenantOrganization"
    )]
    Serve(ServeArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  mtosim completions bash > ~/.local/share/bash-completion/completions/mtosim"
    )]
    Completions(CompletionsArgs),
}

// The flags of `mtosim run`.
#[derive(Args)]
pub struct RunArgs {
    /// The scenario file (TOML, see docs/scenario-format.md).
    pub file: String,
    /// Print only failures and the summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print events and check results as JSON lines (with a schema version) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Write each tenant's views below this directory when the run ends: Graph JSON (MTO,
    /// member list, join request, templates, partners, users), users.csv in the Download-users
    /// format, provisioning.jsonl, and events.jsonl and topology.dot for the whole run.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Allow --out to write into a non-empty directory.
    #[arg(long, requires = "out")]
    pub force: bool,
    /// Report unusable rows of imported CSV files and go on without them (default: exit 2).
    #[arg(long)]
    pub lenient: bool,
    /// Also write the run's report to this file: one self-contained HTML page (topology at
    /// every step, timeline, counts, the event list with the rules' texts, checks, summary),
    /// written atomically; a file already there is replaced.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

// The flags of `mtosim report`.
#[derive(Args)]
pub struct ReportArgs {
    /// The scenario file.
    pub file: String,
    /// The HTML file to write (replaced if it exists).
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// Report unusable rows of imported CSV files and go on without them (default: exit 2).
    #[arg(long)]
    pub lenient: bool,
}

// The flags of `mtosim import`.
#[derive(Args)]
pub struct ImportArgs {
    /// Export folders: each a tenant's folder or a folder of tenant folders.
    #[arg(required = true)]
    pub dirs: Vec<String>,
    /// The scenario file to write (default: print it).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Do not print the import's warnings.
    #[arg(long, short)]
    pub quiet: bool,
}

// The flags of `mtosim doctor`.
#[derive(Args)]
pub struct DoctorArgs {
    /// A scenario file, or export folders (each a tenant's folder or a folder of them).
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
}

// The flags of `mtosim check`.
#[derive(Args)]
pub struct CheckArgs {
    /// The scenario file.
    pub file: String,
    /// Report unusable rows of imported CSV files instead of failing.
    #[arg(long)]
    pub lenient: bool,
}

// The flags of `mtosim rules`.
#[derive(Args)]
pub struct RulesArgs {
    /// Only the rules that apply under this rule set.
    #[arg(long, value_enum)]
    pub set: Option<SetArg>,
}

// The flags of `mtosim explain`.
#[derive(Args)]
pub struct ExplainArgs {
    /// A rule id such as MTO-37, CTS-30, XTAP-5, SEED-3.
    pub rule: String,
}

// The flags of `mtosim expr`.
#[derive(Args)]
pub struct ExprArgs {
    /// The expression, e.g. 'Join(" ", [givenName], [surname])'.
    pub expression: String,
    /// An attribute of the user: NAME=VALUE (split at the first =; repeat NAME for a
    /// multi-valued attribute), or NAME alone for null.
    #[arg(long, value_name = "NAME[=VALUE]")]
    pub attr: Vec<String>,
    /// The time Now() reads (RFC 3339; default 2024-01-01T00:00:00Z, the default scenario start).
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// The seed Guid() and RandomString() draw from.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Print {"value": ..., "flows": ...}.
    #[arg(long)]
    pub json: bool,
}

// The flags of `mtosim new`.
#[derive(Args)]
pub struct NewArgs {
    /// The scenario's name; the file is NAME.toml (or NAME itself if it ends in .toml).
    pub name: String,
}

// The flags of `mtosim whatif`.
#[derive(Args)]
pub struct WhatifArgs {
    /// A scenario: the forecast starts from its state after all steps (or after --at).
    pub file: Option<String>,
    /// Stop the scenario after this many steps before counting.
    #[arg(long, value_name = "STEP", requires = "file")]
    pub at: Option<usize>,
    /// Quick form: number of tenants (the first is the hub for hub and spoke).
    #[arg(long, default_value_t = 2, conflicts_with = "file")]
    pub tenants: u32,
    /// Quick form: internal users per tenant.
    #[arg(long, default_value_t = 1_000, conflicts_with = "file")]
    pub users: u64,
    /// Quick form: the fraction of each tenant's users that is shared, 0 to 1.
    #[arg(long, default_value_t = 1.0, conflicts_with = "file")]
    pub share: f64,
    /// Quick form: who shares with whom (CTS-68).
    #[arg(long, default_value = "mesh", value_parser = ["mesh", "hub", "spoke"], conflicts_with = "file")]
    pub topology: String,
    /// Quick form: cross-tenant synchronization alone, without a multitenant organization: no
    /// MTO cap applies (MTO-46's 100 active tenants, the preview's MTO-45 and MTO-47), every
    /// cross-tenant sync rule does (quota CTS-61, escrows CTS-52..CTS-54, P1 MTO-52, the
    /// preview's per-pair cap SEED-2).
    #[arg(long, conflicts_with = "file")]
    pub no_mto: bool,
    /// Quick form: the rule set.
    #[arg(long, value_enum, conflicts_with = "file")]
    pub rules: Option<SetArg>,
    /// Quick form: every tenant's directory object quota (CTS-61), at most 10^12
    /// (OBJECT_QUOTA_MAX).
    #[arg(long, default_value_t = 300_000, conflicts_with = "file",
          value_parser = clap::value_parser!(u64).range(0..=mtosim_engine::limits::OBJECT_QUOTA_MAX))]
    pub quota: u64,
    /// Quick form: vary one parameter, e.g. tenants=2..100, users=1000..300000:1000, share=0.1..1:0.1.
    #[arg(long, conflicts_with = "file")]
    pub sweep: Option<String>,
    /// After the summary, print the table of source -> target pairs (at most 200, TABLE_PAIRS_MAX).
    #[arg(long, conflicts_with_all = ["json", "csv", "sweep"])]
    pub pairs: bool,
    /// Print JSON instead of the summary: every pair, tenant and finding.
    #[arg(long)]
    pub json: bool,
    /// Print CSV instead of the summary: every pair.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// Where a sweep writes sweep.csv and sweep.svg.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write the forecast (summary, chart, tenants, pairs, findings) or the sweep (chart
    /// and table) as one self-contained HTML page to this file, replaced if it exists.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Allow --out to write into a non-empty directory.
    #[arg(long, requires = "out")]
    pub force: bool,
}

// The flags of `mtosim explore`.
#[derive(Args)]
pub struct ExploreArgs {
    /// The scenario file (at most 4 tenants).
    pub file: String,
    /// Apply at most this many action steps along a path (default: all of them; at most 12).
    #[arg(long, value_name = "N")]
    pub depth: Option<usize>,
    /// Stop after this many distinct states (default and at most 100000).
    #[arg(long, value_name = "N")]
    pub max_states: Option<usize>,
    /// Write the counterexample, if any, to this file (atomically) instead of printing it.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace the --out file if it exists (never the scenario itself).
    #[arg(long)]
    pub force: bool,
    /// Write the counterexample, if any, as an HTML report of its run (the path as a
    /// timeline, with the search's report above it) to this file, replaced if it exists.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

// The flags of `mtosim serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// The scenario file whose world is served (its steps run first).
    pub file: String,
    /// The address and port to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR:PORT", default_value = mtosim_server::LISTEN_DEFAULT)]
    pub listen: String,
    /// Once listening, write {"url", "operatorToken", "tenants": [{"name", "tenantId", "domain",
    /// "token"}]} to this file (atomically).
    #[arg(long, value_name = "PATH")]
    pub ready_file: Option<PathBuf>,
    /// Allow listening on an address other than loopback (anyone who can reach it and holds a
    /// token can change the world).
    #[arg(long)]
    pub allow_remote: bool,
    /// Keep every accepted write in DIR/journal.jsonl, flushed before its answer; a restart
    /// with the same scenario and DIR replays it to the same world.
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// Let simulated time run N times faster than real time between requests (0: only the
    /// operator moves the clock).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub speed: u32,
    /// Write the session as a scenario that `mtosim run` replays to the same end state: the
    /// scenario file followed by every request's action, clock move and settle as steps, on
    /// POST {url}/mtosim/record and when the server stops (atomically).
    #[arg(long, value_name = "PATH")]
    pub record: Option<PathBuf>,
}

// The flags of `mtosim completions`.
#[derive(Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}
