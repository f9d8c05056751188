//! The frame codec on hostile input: every bad frame is refused with its own error, and
//! an over-long prefix is refused before any allocation.

use guichet_protocol::*;

#[tokio::test]
async fn frame_round_trips_with_little_endian_prefix() {
    let msg = ClientMessage::Ping { id: 7 };
    let frame = encode_frame(&msg).unwrap();
    let body = br#"{"type":"ping","id":7}"#;
    assert_eq!(&frame[..4], &(body.len() as u32).to_le_bytes());
    assert_eq!(&frame[4..], body);
    let mut reader = &frame[..];
    let read = read_frame(&mut reader).await.unwrap();
    let back: ClientMessage = decode_body(&read, ClientMessage::TYPES).unwrap();
    assert_eq!(back, msg);
}

#[tokio::test]
async fn oversized_prefix_is_refused_without_reading_the_body() {
    // Claims 4 GiB but sends 3 bytes: must fail at once on the prefix.
    let mut input: &[u8] = &[0xff, 0xff, 0xff, 0xff, b'{', b'}', b'x'];
    let err = read_frame(&mut input).await.unwrap_err();
    assert!(matches!(err, FrameError::TooLarge { len: u32::MAX }), "{err}");
    assert_eq!(err.code(), ErrorCode::FrameTooLarge);
    assert!(err.is_fatal());
    assert_eq!(input.len(), 3, "the body must not have been read");
}

#[tokio::test]
async fn limit_is_inclusive() {
    let mut frame = MAX_FRAME_LEN.to_le_bytes().to_vec();
    frame.extend(std::iter::repeat_n(b' ', MAX_FRAME_LEN as usize));
    let mut reader = &frame[..];
    assert_eq!(read_frame(&mut reader).await.unwrap().len(), MAX_FRAME_LEN as usize);
    let mut over = (MAX_FRAME_LEN + 1).to_le_bytes().to_vec();
    over.extend(std::iter::repeat_n(b' ', MAX_FRAME_LEN as usize + 1));
    let mut reader = &over[..];
    assert!(matches!(read_frame(&mut reader).await, Err(FrameError::TooLarge { .. })));
}

#[tokio::test]
async fn zero_length_and_truncated_frames() {
    let mut zero: &[u8] = &[0, 0, 0, 0];
    let err = read_frame(&mut zero).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::BadLength);
    let mut short: &[u8] = &[10, 0, 0, 0, b'{'];
    assert!(matches!(read_frame(&mut short).await, Err(FrameError::Closed)));
    let mut empty: &[u8] = &[];
    assert!(matches!(read_frame(&mut empty).await, Err(FrameError::Closed)));
}

#[test]
fn bad_bodies_get_distinct_codes() {
    let t = ClientMessage::TYPES;
    let code = |b: &str| decode_body::<ClientMessage>(b.as_bytes(), t).unwrap_err().code();
    assert_eq!(code("{not json"), ErrorCode::BadJson);
    assert_eq!(code("\u{0}\u{1}"), ErrorCode::BadJson);
    assert_eq!(code(r#"{"type":"format_disk","id":1}"#), ErrorCode::UnknownType);
    assert_eq!(code(r#"{"id":1}"#), ErrorCode::UnknownType);
    assert_eq!(code(r#"[1,2]"#), ErrorCode::UnknownType);
    assert_eq!(code(r#"{"type":"start_session"}"#), ErrorCode::BadRequest);
    assert_eq!(code(r#"{"type":"end_session","id":1,"reason":5}"#), ErrorCode::BadRequest);
    assert_eq!(code(r#"{"type":"ping","id":-1}"#), ErrorCode::BadRequest);
    // Unknown extra fields are allowed: a newer kiosk may send more.
    assert!(decode_body::<ClientMessage>(br#"{"type":"ping","id":1,"new":true}"#, t).is_ok());
    // The two directions never share a tag, so a frame sent the wrong way is caught.
    assert!(ClientMessage::TYPES.iter().all(|ty| !AgentMessage::TYPES.contains(ty)));
}
