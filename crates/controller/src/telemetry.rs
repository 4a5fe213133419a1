//! Structured logs: one JSON object per line on stdout (`RUST_LOG` filters, default `info`).

/// Installs the global subscriber. Safe to call twice (the second call is a no-op), which
/// in-process tests rely on.
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_env_filter(filter)
        .try_init();
}
