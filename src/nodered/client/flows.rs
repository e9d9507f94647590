//! The flows of the admin API as text: `GET /flows` kept as the runtime sent it, its revision
//! alone, and a `POST /flows` streamed from that text (see `domain::nodes`).

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{AdminClient, NodeRedError, without_url};
use crate::domain::nodes::Nodes;

/// The deployed flows as the runtime sent them (not re-encoded), and their revision.
#[derive(Debug, Clone)]
pub struct FlowsText {
    /// Revision; changes with every deploy.
    pub rev: String,
    /// Every node, tab, subflow and config node.
    pub flows: Nodes,
}

/// A v2 `GET /flows` answer, `{"flows": [...], "rev": "..."}`, with the flows left as text.
#[derive(Deserialize)]
struct FlowsAnswer<'a> {
    rev: String,
    #[serde(borrow)]
    flows: &'a RawValue,
}

/// Only the revision of a `GET /flows` answer (unknown keys, the flows among them, are skipped
/// without being built).
#[derive(Deserialize)]
struct RevOnly {
    rev: String,
}

/// The most a `GET /flows` answer may announce for its buffer up front (a runtime is untrusted;
/// a longer answer still grows the buffer as it arrives).
const PREALLOCATE_AT_MOST: u64 = 64 << 20;

impl AdminClient {
    /// `GET /flows` (v2) with the flows kept as the text the runtime sent: read into one buffer,
    /// which then holds just the flows array (moved in place, not copied).
    pub async fn flows_text(&self) -> Result<FlowsText, NodeRedError> {
        let response = Self::send(self.request(Method::GET, "/flows"), true).await?;
        answer(Self::body(response).await?)
    }

    /// The revision of the deployed flows (`GET /flows`, v2; the flows are read past, not kept).
    pub async fn rev(&self) -> Result<String, NodeRedError> {
        let response = Self::send(self.request(Method::GET, "/flows"), true).await?;
        let body = Self::body(response).await?;
        let answer: RevOnly =
            serde_json::from_slice(&body).map_err(|e| NodeRedError::Invalid(e.to_string()))?;
        Ok(answer.rev)
    }

    /// A whole answer's body in one buffer of its announced length (chunks freed as they come).
    async fn body(mut response: reqwest::Response) -> Result<Vec<u8>, NodeRedError> {
        let length = response
            .content_length()
            .unwrap_or(0)
            .min(PREALLOCATE_AT_MOST);
        let mut body = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| NodeRedError::Invalid(without_url(&e)))?
        {
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// [`Self::deploy`] of flows as received: the body is streamed from their text, with the
    /// PLAINTEXT `credentials` encoded after it, so the flows are neither copied nor re-encoded.
    pub async fn deploy_text(
        &self,
        flows: &Nodes,
        credentials: &Map<String, Value>,
    ) -> Result<String, NodeRedError> {
        let chunks = deploy_chunks(flows, credentials)?;
        let length: usize = chunks.iter().map(Bytes::len).sum();
        let stream = futures_util::stream::iter(chunks.map(Ok::<_, std::io::Error>));
        let request = self
            .request(Method::POST, "/flows")
            .header("Node-RED-Deployment-Type", "full")
            .header(CONTENT_TYPE, "application/json")
            .header(CONTENT_LENGTH, length)
            .body(reqwest::Body::wrap_stream(stream));
        Self::deployed(request).await
    }
}

/// A v2 `GET /flows` answer's body as flows text and revision, in the same buffer.
pub(crate) fn answer(body: Vec<u8>) -> Result<FlowsText, NodeRedError> {
    let invalid = |e: &dyn std::fmt::Display| NodeRedError::Invalid(e.to_string());
    let mut text = String::from_utf8(body).map_err(|e| invalid(&e))?;
    let answer: FlowsAnswer = serde_json::from_str(&text).map_err(|e| invalid(&e))?;
    let flows = answer.flows.get();
    let start = (flows.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    let (end, rev) = (start + flows.len(), answer.rev);
    text.truncate(end);
    text.drain(..start);
    let flows = Nodes::parse(text).map_err(|e| invalid(&e))?;
    Ok(FlowsText { rev, flows })
}

/// The body of a v2 `POST /flows` of `flows` with `credentials`, in three chunks:
/// `{"flows":`, the flows' own text, `,"credentials":{...}}`.
pub(crate) fn deploy_chunks(
    flows: &Nodes,
    credentials: &Map<String, Value>,
) -> Result<[Bytes; 3], NodeRedError> {
    let mut tail = b",\"credentials\":".to_vec();
    serde_json::to_writer(&mut tail, credentials)
        .map_err(|e| NodeRedError::Invalid(e.to_string()))?;
    tail.push(b'}');
    Ok([
        Bytes::from_static(b"{\"flows\":"),
        flows.bytes(),
        Bytes::from(tail),
    ])
}

#[cfg(test)]
#[path = "flows_tests.rs"]
mod tests;
