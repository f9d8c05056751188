//! The mediator's requests: `call_mediator` (the person asked for help; the physical
//! button calls the same), and `mediator_unlock` (the PIN of the mediator panel, checked
//! against a hash only the agent holds: `pin`). Nothing of it is tied to the visit.

use guichet_protocol::{AgentMessage, CallSource, ErrorCode};
use tokio::time::Instant;

use crate::error::{Refusal, refuse};
use crate::pin::Verdict;
use crate::session::Agent;
use crate::store::Counter;
use crate::visit::lock;

impl Agent {
    pub(super) async fn mediator_unlock(&self, id: u64, pin: String) -> Result<AgentMessage, Refusal> {
        let guard = self.remote().pin();
        // argon2 is deliberately slow: off the async threads.
        let verdict =
            tokio::task::spawn_blocking(move || guard.check(&pin, std::time::Instant::now())).await.map_err(|e| {
                tracing::error!(cause = %e, "PIN check failed");
                refuse(ErrorCode::Internal, "the PIN could not be checked")
            })?;
        tracing::info!(?verdict, "mediator panel asked for");
        match verdict {
            Verdict::Granted => {
                self.count(Counter::MediatorOpenings);
                self.help_answered();
                Ok(AgentMessage::MediatorGranted { id })
            }
            Verdict::Wrong => Err(refuse(ErrorCode::WrongPin, "wrong PIN")),
            Verdict::Locked => Err(refuse(ErrorCode::PinLocked, "too many wrong PINs; try again later")),
            Verdict::NotConfigured => Err(refuse(ErrorCode::MediatorNotConfigured, "no mediator PIN is set")),
        }
    }

    pub(crate) fn mediator_called(&self, from: CallSource) {
        // Counted, never tied to the session: nothing says who needed help.
        self.count(Counter::MediatorCalls);
        tracing::info!(?from, "a mediator was called");
        *lock(&self.kiosk_state().help_called) = Some(Instant::now());
        let _ = self.events().send(AgentMessage::MediatorCalled { from });
    }

    /// A mediator came (opened the panel) or the visit ended: the call is answered.
    pub(crate) fn help_answered(&self) {
        lock(&self.kiosk_state().help_called).take();
    }
}
