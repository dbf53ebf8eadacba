//! The binary's terminal: the progress line (redrawn on a timer), the `--verbose` request log and
//! warnings on standard error, and the no-echo secret prompt — the side of [`clerk_drift::Ui`]
//! that prints. Binary-only.

use std::io::IsTerminal;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use clerk_drift::clerk::{Event, Observer};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often the progress line is redrawn, whether or not a request completed.
const TICK: Duration = Duration::from_millis(150);
/// A pull shorter than this shows no progress line.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// Standard-error UI: a progress line that appears only for pulls longer than a second on a
/// terminal (never with `-q`) and is redrawn on a timer, `--verbose` request logs, and warnings.
pub struct Terminal {
    verbose: bool,
    bar: ProgressBar,
    /// Whether a progress line may be shown at all: not `-q`, standard error a terminal.
    show: bool,
    progress: Arc<Progress>,
    ticker: Mutex<Option<JoinHandle<()>>>,
}

/// What the ticker reads: the counts so far, summed over every pull running, and the signal to
/// stop.
#[derive(Default)]
struct Progress {
    state: Mutex<State>,
    wake: Condvar,
}

#[derive(Default)]
struct State {
    done: u32,
    started: u32,
    /// Pulls begun and not yet returned (`plan --all` runs several at once).
    pulls: u32,
    stop: bool,
}

/// The progress line: requests done and in flight, and the time since the pull began.
fn line(elapsed: Duration, done: u32, started: u32) -> String {
    let in_flight = started.saturating_sub(done);
    format!(
        "pulling from Clerk: {done} requests done, {in_flight} in flight · {}.{}s",
        elapsed.as_secs(),
        elapsed.subsec_millis() / 100
    )
}

impl Terminal {
    pub fn new(quiet: bool, verbose: bool) -> Self {
        Terminal::with(!quiet && std::io::stderr().is_terminal(), verbose)
    }

    fn with(show: bool, verbose: bool) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
            bar.set_style(style);
        }
        Terminal {
            verbose,
            bar,
            show,
            progress: Arc::new(Progress::default()),
            ticker: Mutex::new(None),
        }
    }

    /// A pull returned: once every pull begun has returned and no request is in flight (with
    /// `plan --all`, the last of those running), stops the ticker and clears the progress line;
    /// a later pull starts it again, counting from zero as its clock does.
    fn pause(&self) {
        // The ticker's lock first, held to the end: a request another pull sends meanwhile
        // waits in `start` and starts a fresh ticker once this one is gone, never finds the
        // old one about to stop.
        let mut ticker = self.ticker.lock().unwrap_or_else(|e| e.into_inner());
        {
            let mut state = self
                .progress
                .state
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            state.pulls = state.pulls.saturating_sub(1);
            if state.pulls > 0 || state.started > state.done {
                return;
            }
            (state.started, state.done) = (0, 0);
        }
        self.stop(&mut ticker);
        self.bar.reset();
        self.progress
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .stop = false;
    }

    /// Stops the ticker and clears the progress line before the outcome is printed.
    pub fn finish(&self) {
        let mut ticker = self.ticker.lock().unwrap_or_else(|e| e.into_inner());
        self.stop(&mut ticker);
    }

    /// Signals the ticker to stop, waits for it to end, clears the line. The caller holds the
    /// ticker's lock (the ticker thread never takes it).
    fn stop(&self, ticker: &mut Option<JoinHandle<()>>) {
        {
            let mut state = self
                .progress
                .state
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            state.stop = true;
        }
        self.progress.wake.notify_all();
        if let Some(handle) = ticker.take() {
            let _ = handle.join();
        }
        self.bar.finish_and_clear();
    }

    fn say(&self, line: &str) {
        self.bar.suspend(|| eprintln!("{line}"));
    }

    /// Starts the ticker at the pull's first request: every [`TICK`] it redraws the line, shown
    /// once the pull has taken [`SHOW_AFTER`], until [`Terminal::finish`].
    fn start(&self) {
        let mut ticker = self.ticker.lock().unwrap_or_else(|e| e.into_inner());
        if ticker.is_some() || !self.show {
            return;
        }
        let (bar, progress) = (self.bar.clone(), self.progress.clone());
        let t0 = Instant::now();
        *ticker = Some(std::thread::spawn(move || {
            loop {
                let state = progress.state.lock().unwrap_or_else(|e| e.into_inner());
                if state.stop {
                    break;
                }
                let state = match progress.wake.wait_timeout(state, TICK) {
                    Ok((s, _)) => s,
                    Err(e) => e.into_inner().0,
                };
                if state.stop {
                    break;
                }
                let (done, started) = (state.done, state.started);
                // Drawn without the lock: the pull's events never wait for the terminal.
                drop(state);
                if t0.elapsed() < SHOW_AFTER {
                    continue;
                }
                if bar.is_hidden() {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                }
                bar.set_message(line(t0.elapsed(), done, started));
                bar.tick();
            }
        }));
    }
}

impl Observer for Terminal {
    fn event(&self, event: &Event) {
        match event {
            Event::Log(line) if self.verbose => self.say(&format!("clerk-drift: {line}")),
            Event::Retry { request, why, wait } if self.verbose => self.say(&format!(
                "clerk-drift: {request}: {why}; retrying in {} ms",
                wait.as_millis()
            )),
            // Counted here, over every pull that reports to this terminal: with `plan --all` the
            // instances' pulls run at once, each with its own client.
            Event::RequestSent | Event::RequestEnded => {
                let sent = matches!(event, Event::RequestSent);
                {
                    let mut state = self
                        .progress
                        .state
                        .lock()
                        .unwrap_or_else(|e| e.into_inner());
                    if sent {
                        state.started = state.started.saturating_add(1);
                    } else {
                        state.done = state.done.saturating_add(1);
                    }
                }
                if sent {
                    self.start();
                }
            }
            _ => {}
        }
    }
}

impl clerk_drift::Ui for Terminal {
    fn pulling(&self) {
        let mut state = self
            .progress
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        state.pulls = state.pulls.saturating_add(1);
    }

    fn pulled(&self) {
        self.pause();
    }

    fn warn(&self, message: &str) {
        self.say(&format!("warning: {message}"));
    }

    fn read_secret(&self, prompt: &str) -> std::io::Result<String> {
        if std::io::stdin().is_terminal() {
            rpassword::prompt_password(prompt)
        } else {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            Ok(line)
        }
    }

    fn ask(&self, prompt: &str) -> std::io::Result<Option<String>> {
        use std::io::Write as _;
        self.bar.suspend(|| {
            let mut err = std::io::stderr().lock();
            write!(err, "{prompt}")?;
            err.flush()
        })?;
        let mut line = String::new();
        Ok((std::io::stdin().read_line(&mut line)? > 0).then_some(line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_requests_done_in_flight_and_the_time() {
        assert_eq!(
            line(Duration::from_millis(2_450), 12, 15),
            "pulling from Clerk: 12 requests done, 3 in flight · 2.4s"
        );
        assert_eq!(
            line(Duration::from_secs(1), 0, 1),
            "pulling from Clerk: 0 requests done, 1 in flight · 1.0s"
        );
        assert_eq!(
            line(Duration::from_millis(61_999), 40, 40),
            "pulling from Clerk: 40 requests done, 0 in flight · 61.9s"
        );
    }

    fn counts(t: &Terminal) -> (u32, u32) {
        let state = t.progress.state.lock().expect("lock");
        (state.done, state.started)
    }

    #[test]
    fn the_ticker_starts_with_the_first_request_and_stops_on_finish() {
        let t = Terminal::with(true, false);
        assert!(t.ticker.lock().expect("lock").is_none());
        t.event(&Event::RequestSent);
        assert!(t.ticker.lock().expect("lock").is_some(), "ticking");
        t.event(&Event::RequestEnded);
        assert_eq!(counts(&t), (1, 1));
        // finish() returns only once the ticker thread has ended.
        t.finish();
        assert!(t.ticker.lock().expect("lock").is_none());
        assert!(t.progress.state.lock().expect("lock").stop);
        assert!(t.bar.is_finished());
    }

    #[test]
    fn the_line_counts_the_requests_of_every_pull_running() {
        use Event::{RequestEnded as Ended, RequestSent as Sent};
        use clerk_drift::Ui as _;
        let t = Terminal::with(true, false);
        // plan --all: instance a sends 3 requests, b sends 2, interleaved; each has a client of
        // its own. The line counts 5 sent, not the larger pull's 3.
        t.pulling();
        t.pulling();
        for e in [Sent, Sent, Sent, Ended, Sent, Sent, Ended] {
            t.event(&e);
        }
        assert_eq!(counts(&t), (2, 5));
        assert_eq!(
            line(Duration::from_secs(2), 2, 5),
            "pulling from Clerk: 2 requests done, 3 in flight · 2.0s"
        );
        // a's 3 requests end and a returns; b's 2 are still in flight: the line goes on.
        for e in [Ended, Ended] {
            t.event(&e);
        }
        t.pulled();
        assert_eq!(counts(&t), (4, 5));
        assert!(t.ticker.lock().expect("lock").is_some(), "still ticking");
        // b's last request ends and b returns: the line stops and its counts start over.
        t.event(&Ended);
        t.pulled();
        assert!(t.ticker.lock().expect("lock").is_none(), "stopped");
        assert_eq!(counts(&t), (0, 0));
        t.event(&Sent);
        assert_eq!(counts(&t), (0, 1));
        assert!(t.ticker.lock().expect("lock").is_some(), "ticking again");
        t.finish();
    }

    #[test]
    fn the_line_stops_when_the_pull_returns_with_nothing_in_flight() {
        use clerk_drift::Ui as _;
        let t = Terminal::with(true, false);
        t.pulling();
        t.event(&Event::RequestSent);
        t.event(&Event::RequestSent);
        t.event(&Event::RequestEnded);
        // A request still in flight (another pull's, that did not say it began): the line
        // goes on.
        t.pulled();
        assert!(t.ticker.lock().expect("lock").is_some(), "still ticking");
        t.event(&Event::RequestEnded);
        t.pulled();
        assert!(t.ticker.lock().expect("lock").is_none(), "stopped");
        assert!(!t.bar.is_finished(), "cleared, ready for a later pull");
        // A later pull starts it again.
        t.event(&Event::RequestSent);
        assert!(t.ticker.lock().expect("lock").is_some(), "ticking again");
        t.finish();
        assert!(t.ticker.lock().expect("lock").is_none());
    }

    #[test]
    fn the_line_goes_on_while_a_pull_begun_has_not_returned() {
        use Event::{RequestEnded as Ended, RequestSent as Sent};
        use clerk_drift::Ui as _;
        let t = Terminal::with(true, false);
        // plan --all: a and b begin; a's request ends and a returns while b waits between
        // requests (a retry's backoff): nothing in flight, but b has not returned.
        t.pulling();
        t.pulling();
        for e in [Sent, Sent, Ended, Ended] {
            t.event(&e);
        }
        t.pulled();
        assert!(t.ticker.lock().expect("lock").is_some(), "still ticking");
        assert_eq!(counts(&t), (2, 2), "not started over");
        // b retries, and returns.
        t.event(&Sent);
        t.event(&Ended);
        t.pulled();
        assert!(t.ticker.lock().expect("lock").is_none(), "stopped");
        assert_eq!(counts(&t), (0, 0));
        t.finish();
    }

    #[test]
    fn no_ticker_with_quiet_or_without_a_terminal() {
        let t = Terminal::with(false, false);
        t.event(&Event::RequestSent);
        assert!(t.ticker.lock().expect("lock").is_none());
        t.finish();
    }
}
