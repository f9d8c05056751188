//! The frame codec's property, shared by the `frame` fuzz target and the seeds' regression
//! test (`tests/tests/fuzz_seeds.rs`): any byte stream a peer could send is read frame by
//! frame and each body decoded, both as a request and as a reply, without a panic, an
//! unbounded allocation or a hang; what decodes encodes back to a frame that decodes the
//! same.

use guichet_protocol::{AgentMessage, ClientMessage, FrameError, decode_body, encode_frame, read_frame};

pub fn frame(data: &[u8]) {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(async {
        let mut stream = data;
        loop {
            match read_frame(&mut stream).await {
                Ok(body) => {
                    if let Ok(msg) = decode_body::<ClientMessage>(&body, ClientMessage::TYPES) {
                        let again = encode_frame(&msg).expect("a decoded request encodes");
                        let back: ClientMessage = decode_body(&again[4..], ClientMessage::TYPES).expect("and decodes");
                        assert_eq!(back, msg);
                    }
                    let _ = decode_body::<AgentMessage>(&body, AgentMessage::TYPES);
                }
                Err(FrameError::Closed) => break,
                Err(e) if e.is_fatal() => break,
                Err(_) => {}
            }
        }
    });
}
