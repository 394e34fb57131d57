//! Waiting for the signal to stop: SIGTERM (what service managers send) or Ctrl-C.

pub async fn signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => ctrl_c.await.unwrap_or(()),
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await.unwrap_or(());
}
