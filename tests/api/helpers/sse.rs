//! A server-sent events client, as a browser's EventSource is: `Accept: text/event-stream`, the
//! person's cookies, `Last-Event-ID` when it resumes; events read one at a time.

use reqwest::StatusCode;

use super::{Browser, Page, Res, patience};

/// One event of a stream.
#[derive(Debug, Clone)]
pub struct SseEvent {
    /// Its `id:` (the last one seen, as EventSource keeps it).
    pub id: Option<u64>,
    /// Its `event:` name.
    pub name: String,
    /// Its `data:` lines, joined by newlines.
    pub data: String,
}

impl SseEvent {
    /// The data as a page, to query with selectors.
    pub fn page(&self) -> Page {
        Page {
            status: StatusCode::OK,
            location: None,
            headers: Default::default(),
            body: self.data.clone(),
        }
    }
}

/// An open stream.
pub struct EventStream {
    response: reqwest::Response,
    buffer: String,
    last_id: Option<u64>,
}

/// The stream at `path` as `browser`, resuming after `last_id`: the stream, or the answer that
/// was not one (a redirect, a 404).
pub async fn open_stream(
    browser: &Browser,
    path: &str,
    last_id: Option<u64>,
) -> Res<Result<EventStream, Page>> {
    let mut request = browser
        .client
        .get(format!("{}{path}", browser.base))
        .header("Accept", "text/event-stream");
    if let Some(id) = last_id {
        request = request.header("Last-Event-ID", id.to_string());
    }
    let response = request.send().await?;
    let is_stream = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    if response.status() != StatusCode::OK || !is_stream {
        let status = response.status();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let headers = response.headers().clone();
        let body = response.text().await?;
        return Ok(Err(Page {
            status,
            location,
            headers,
            body,
        }));
    }
    Ok(Ok(EventStream {
        response,
        buffer: String::new(),
        last_id,
    }))
}

impl EventStream {
    /// The next event with data (keep-alive comments only move the id on).
    pub async fn next(&mut self) -> Res<SseEvent> {
        tokio::time::timeout(patience(60), self.read())
            .await
            .map_err(|_| "no event came")?
    }

    /// The next event whose data satisfies `wanted`.
    pub async fn next_where(&mut self, wanted: impl Fn(&SseEvent) -> bool) -> Res<SseEvent> {
        let deadline = tokio::time::Instant::now() + patience(120);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let event = tokio::time::timeout(left, self.read())
                .await
                .map_err(|_| "no such event came")??;
            if wanted(&event) {
                return Ok(event);
            }
        }
    }

    async fn read(&mut self) -> Res<SseEvent> {
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut name, mut data) = ("message".to_owned(), Vec::new());
                for line in block.lines() {
                    if let Some(id) = line.strip_prefix("id: ") {
                        self.last_id = id.trim().parse().ok();
                    } else if let Some(value) = line.strip_prefix("event: ") {
                        name = value.to_owned();
                    } else if let Some(value) = line.strip_prefix("data: ") {
                        data.push(value);
                    }
                }
                if !data.is_empty() {
                    return Ok(SseEvent {
                        id: self.last_id,
                        name,
                        data: data.join("\n"),
                    });
                }
            }
            let chunk = self.response.chunk().await?.ok_or("the stream ended")?;
            self.buffer.push_str(std::str::from_utf8(&chunk)?);
        }
    }
}
