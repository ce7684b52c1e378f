//! agentgate: compile AGENTS.md and SSOT prose into a typed policy and check agent change sets
//! against it.
//!
//! The pipeline, one module per stage, data flowing one way:
//! [`source`] → [`markdown`] → [`lex`] → [`parse`] → [`compile`] → [`ir`] → [`engine`] → [`report`].
//! Plans come in through [`changeset`]; their shell commands are analysed by [`command`].

pub mod audit;
pub mod changeset;
pub mod cli;
pub mod command;
pub mod compile;
pub mod custom;
pub mod engine;
pub mod explain;
pub mod export;
pub mod git;
pub mod hook;
pub mod ir;
pub mod lex;
pub mod library;
pub mod lint;
pub mod markdown;
pub mod mcp;
pub mod parse;
pub mod report;
pub mod root;
pub mod runner;
pub mod source;
pub mod vocab;

use std::path::Path;

/// Everything that can stop a check: each is exit code 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Error {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Source(#[from] source::SourceError),
    #[error("the policy does not compile ({} error{})", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    #[diagnostic(
        code(agentgate::compile),
        help("fix the statements below; agentgate fails closed on a broken policy")
    )]
    Compile(#[related] Vec<compile::CompileError>),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] changeset::PlanError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Engine(#[from] engine::EngineError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Git(#[from] git::GitError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Runner(#[from] Box<runner::RunnerError>),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Audit(#[from] audit::AuditError),
    #[error("unknown session store `{spec}`")]
    #[diagnostic(code(agentgate::runner::store), help("{hint}"))]
    Store { spec: String, hint: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Explain(#[from] explain::ExplainError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Hook(#[from] hook::HookError),
    #[error("the MCP server stopped: {message}")]
    #[diagnostic(
        code(agentgate::mcp),
        help("`agentgate mcp` speaks MCP (JSON-RPC) on stdin and stdout; start it from an MCP client")
    )]
    Mcp { message: String },
    #[error("cannot write `{path}`: {message}")]
    #[diagnostic(code(agentgate::init), help("check the folder's permissions"))]
    Init { path: String, message: String },
    #[error("cannot read plan `{name}`: {message}")]
    #[diagnostic(
        code(agentgate::plan::read),
        help("pass an existing JSON or YAML file, or `-` to read the plan from standard input")
    )]
    PlanRead { name: String, message: String },
    #[error("plan `{name}` is larger than the limit of {limit} bytes")]
    #[diagnostic(
        code(agentgate::plan::size),
        help("split the change set into several plans")
    )]
    PlanTooLarge { name: String, limit: u64 },
}

/// Largest plan read (256 MiB: room for a 100,000-change plan).
pub const MAX_PLAN_BYTES: u64 = 256 * 1024 * 1024;

/// A compiled policy with the files it came from.
pub struct Loaded {
    pub policy: ir::Policy,
    pub sources: Vec<source::SourceFile>,
}

/// Read and compile the policy of the repository at `root`, keeping its sources.
pub fn load(root: &Path) -> Result<Loaded, Error> {
    let sources = source::discover(root)?;
    let policy = compile::compile(&sources).map_err(Error::Compile)?;
    Ok(Loaded { policy, sources })
}

/// Read and compile the policy of the repository at `root`.
pub fn load_policy(root: &Path) -> Result<ir::Policy, Error> {
    load(root).map(|l| l.policy)
}

/// Check a plan's text against the policy at `root` with the chosen engine.
pub fn check_plan_with(
    root: &Path,
    policy: &ir::Policy,
    plan_text: &str,
    plan_name: &str,
    engine: engine::EngineKind,
) -> Result<engine::Verdict, Error> {
    let plan = changeset::parse_plan(plan_text, plan_name, root)?;
    Ok(engine::evaluate_with(policy, &plan, root, engine)?)
}

/// Check a plan's text against the policy at `root`.
pub fn check_plan(
    root: &Path,
    policy: &ir::Policy,
    plan_text: &str,
    plan_name: &str,
) -> Result<engine::Verdict, Error> {
    let plan = changeset::parse_plan(plan_text, plan_name, root)?;
    Ok(engine::evaluate(policy, &plan, root)?)
}
