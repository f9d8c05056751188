//! The `usage` request: an anonymous fact for the needs statistics (a procedure started,
//! a step reached, a procedure completed, a language chosen), counted per day. Only the
//! content's own ids are counted (`vocabulary`), never what a person typed, and nothing
//! ties two counts to one person; what the visit did is kept in `visit::VisitUsage` until
//! it ends.

use guichet_protocol::fleet::usage_name_allowed;
use guichet_protocol::{AgentMessage, ErrorCode, UsageEvent};

use crate::error::{Refusal, refuse};
use crate::session::Agent;

impl Agent {
    pub(crate) fn usage(&self, id: u64, event: UsageEvent) -> Result<AgentMessage, Refusal> {
        if !event.names().iter().all(|n| usage_name_allowed(n)) {
            return Err(refuse(ErrorCode::BadRequest, "usage names are ids: letters, digits, - and _"));
        }
        if !self.usage_known(&event) {
            return Err(refuse(ErrorCode::BadRequest, "not a procedure, step or language of the content in use"));
        }
        let names = self.with_visit_usage(|usage| usage.record(&event));
        let Some(names) = names else { return Err(refuse(ErrorCode::NotAllowedInState, "no session is open")) };
        for name in names {
            self.count_name(&name);
        }
        Ok(AgentMessage::Ack { id })
    }
}
