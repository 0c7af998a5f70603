/// Upper-cases a message as the servers in the lecture do with
/// `message.decode().upper().encode()`, without ever failing.
///
/// Every run of valid UTF-8 is upper-cased with the full Unicode mapping,
/// as Python's `str.upper()` does: `ß` becomes `SS`, `ﬁ` becomes `FI`, and
/// Korean, which has no case, stays as it is. The result can be longer than
/// the input (`ΐ`, 2 bytes, becomes 6).
///
/// Bytes that are not valid UTF-8, such as a character cut in two at the end
/// of a buffer, are copied unchanged. Python raises `UnicodeDecodeError`
/// there, and the server dies.
///
/// ```
/// assert_eq!(common::to_upper(b"stra\xc3\x9fe"), b"STRASSE");
/// assert_eq!(common::to_upper(b"abc\xff"), b"ABC\xff");
/// ```
pub fn to_upper(message: &[u8]) -> Vec<u8> {
    // Most messages are UTF-8 throughout: then the upper-cased text is the
    // reply as it is, with no copy.
    if let Ok(text) = std::str::from_utf8(message) {
        return text.to_uppercase().into_bytes();
    }
    let mut upper = Vec::with_capacity(message.len());
    for chunk in message.utf8_chunks() {
        upper.extend_from_slice(chunk.valid().to_uppercase().as_bytes());
        upper.extend_from_slice(chunk.invalid());
    }
    upper
}

#[cfg(test)]
mod tests {
    use super::to_upper;
    use proptest::prelude::*;

    #[test]
    fn examples() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"", b""),
            (b"hello, world 123", b"HELLO, WORLD 123"),
            (
                "안녕하세요 socket".as_bytes(),
                "안녕하세요 SOCKET".as_bytes(),
            ),
            ("straße".as_bytes(), b"STRASSE"),
            ("ﬁﬂ ﬃ".as_bytes(), b"FIFL FFI"),
            ("ΐ".as_bytes(), "\u{399}\u{308}\u{301}".as_bytes()),
            ("ǆ".as_bytes(), "Ǆ".as_bytes()),
            ("🦀 crab".as_bytes(), "🦀 CRAB".as_bytes()),
            // A three-byte Korean character cut after two bytes, then more.
            (b"ab\xed\x95", b"AB\xed\x95"),
            (b"\xed\x95x", b"\xed\x95X"),
            (b"\xff\xfe\x00a", b"\xff\xfe\x00A"),
        ];
        for (input, expected) in cases {
            assert_eq!(to_upper(input), *expected, "input {input:?}");
        }
    }

    proptest! {
        /// Any bytes in: no panic, and what is not UTF-8 comes out as it
        /// went in, in the same place.
        #[test]
        fn invalid_bytes_pass_through(input in proptest::collection::vec(
            any::<u8>(), 0..512,
        )) {
            let output = to_upper(&input);
            let valid = |bytes: &[u8]| -> String {
                bytes.utf8_chunks().map(|chunk| chunk.valid()).collect()
            };
            // The text around the invalid bytes is upper-cased...
            prop_assert_eq!(valid(&output), valid(&input).to_uppercase());
            // ...and the invalid bytes, in order, are left as they were.
            let invalid = |bytes: &[u8]| -> Vec<u8> {
                bytes
                    .utf8_chunks()
                    .flat_map(|chunk| chunk.invalid().to_vec())
                    .collect()
            };
            prop_assert_eq!(invalid(&output), invalid(&input));
        }

        /// Invalid bytes between two texts stay exactly where they were.
        #[test]
        fn invalid_bytes_stay_in_place(
            before in any::<String>(),
            junk in proptest::collection::vec(0x80u8..0xc0, 1..4),
            after in any::<String>(),
        ) {
            // Bytes 0x80..0xc0 can only continue a character, never start
            // one, so `junk` is invalid wherever it stands.
            let input = [before.as_bytes(), &junk, after.as_bytes()].concat();
            let expected = [
                before.to_uppercase().as_bytes(),
                &junk,
                after.to_uppercase().as_bytes(),
            ]
            .concat();
            prop_assert_eq!(to_upper(&input), expected);
        }

        /// ASCII goes byte for byte: only a-z change.
        #[test]
        fn ascii_is_byte_for_byte(input in "[\\x00-\\x7f]{0,256}") {
            let output = to_upper(input.as_bytes());
            prop_assert_eq!(output, input.to_ascii_uppercase().into_bytes());
        }
    }
}
