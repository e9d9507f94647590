//! The last lines a runtime printed (plus the supervisor's own notes), numbered so that a live view
//! can ask for "everything after line N".

use std::collections::VecDeque;
use std::sync::Mutex;

/// How many lines are kept per runtime.
pub const KEEP: usize = 500;

/// A bounded, numbered buffer of log lines.
#[derive(Debug, Default)]
pub struct LogBuffer {
    inner: Mutex<Lines>,
}

#[derive(Debug, Default)]
struct Lines {
    next: u64,
    lines: VecDeque<(u64, String)>,
}

impl LogBuffer {
    /// Append a line, dropping the oldest beyond [`KEEP`].
    pub fn push(&self, line: impl Into<String>) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let seq = inner.next;
        inner.next += 1;
        inner.lines.push_back((seq, line.into()));
        while inner.lines.len() > KEEP {
            inner.lines.pop_front();
        }
    }

    /// The number the next line will get.
    pub fn next_seq(&self) -> u64 {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).next
    }

    /// Lines numbered `after` or later, oldest first.
    pub fn since(&self, after: u64) -> Vec<(u64, String)> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner
            .lines
            .iter()
            .filter(|(seq, _)| *seq >= after)
            .cloned()
            .collect()
    }

    /// The last `n` lines joined, for error messages.
    pub fn tail(&self, n: usize) -> String {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let skip = inner.lines.len().saturating_sub(n);
        inner
            .lines
            .iter()
            .skip(skip)
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_lines_with_stable_numbers() {
        let buffer = LogBuffer::default();
        for i in 0..(KEEP + 10) {
            buffer.push(format!("line {i}"));
        }
        let all = buffer.since(0);
        assert_eq!(all.len(), KEEP);
        assert_eq!(all[0], (10, "line 10".to_owned()));
        let newest = buffer.since(KEEP as u64 + 8);
        assert_eq!(newest.len(), 2);
        assert_eq!(buffer.tail(1), format!("line {}", KEEP + 9));
    }
}
