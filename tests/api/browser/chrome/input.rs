//! What a user does in the page: typing, clicking, double-clicking, and scripts run in it.

use fantoccini::Locator;
use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
use serde_json::Value;

use super::Chrome;
use crate::helpers::Res;

/// The paths (with queries) of the requests the page's scripts sent so far (XHR and fetch,
/// from the browser's resource timing): htmx requests, a poll if there were one. The page's
/// live stream (an EventSource) is not among them.
const SCRIPT_REQUESTS: &str = "performance.setResourceTimingBufferSize(100000); \
     return performance.getEntriesByType('resource') \
       .filter(e => e.initiatorType === 'xmlhttprequest' || e.initiatorType === 'fetch') \
       .map(e => { const u = new URL(e.name); return u.pathname + u.search; });";

impl Chrome {
    /// See [`SCRIPT_REQUESTS`].
    pub async fn script_requests(&self) -> Res<Vec<String>> {
        Ok(serde_json::from_value(self.js(SCRIPT_REQUESTS).await?)?)
    }

    /// The script requests after the first `since` of them.
    pub async fn script_requests_since(&self, since: usize) -> Res<Vec<String>> {
        Ok(self
            .script_requests()
            .await?
            .into_iter()
            .skip(since)
            .collect())
    }

    /// Type into a field (cleared first).
    pub async fn fill(&self, css: &str, text: &str) -> Res<()> {
        let field = self.wait_for(css).await?;
        field
            .clear()
            .await
            .map_err(|e| format!("clearing {css}: {e}"))?;
        field
            .send_keys(text)
            .await
            .map_err(|e| format!("typing into {css}: {e}"))?;
        Ok(())
    }

    /// Click an element.
    pub async fn click(&self, css: &str) -> Res<()> {
        self.wait_for(css)
            .await?
            .click()
            .await
            .map_err(|e| format!("clicking {css}: {e}"))?;
        Ok(())
    }

    /// Double-click an element with real pointer events (as the Node-RED editor expects them).
    pub async fn double_click(&self, css: &str) -> Res<()> {
        let element = self.wait_for(css).await?;
        let press = [
            PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            },
            PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            },
        ];
        let mut actions = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
            element,
            duration: None,
            x: 0.0,
            y: 0.0,
        });
        for action in press.iter().chain(press.iter()) {
            actions = actions.then(action.clone());
        }
        self.client
            .perform_actions(actions)
            .await
            .map_err(|e| format!("double-clicking {css}: {e}"))?;
        Ok(())
    }

    /// How many elements match `css` right now.
    pub async fn count(&self, css: &str) -> Res<usize> {
        Ok(self.client.find_all(Locator::Css(css)).await?.len())
    }

    /// Run JavaScript in the page.
    pub async fn js(&self, script: &str) -> Res<Value> {
        Ok(self.client.execute(script, vec![]).await?)
    }

    /// Run asynchronous JavaScript in the page: its last argument is the callback to call with
    /// the result.
    pub async fn js_async(&self, script: &str) -> Res<Value> {
        Ok(self.client.execute_async(script, vec![]).await?)
    }
}
