//! Fixed `type` strings that are not the first field of their object.
//!
//! Most protocol objects are tagged unions, and serde's `#[serde(tag = "type")]` writes the tag
//! first, which is where pydantic writes it too. A few objects, though, carry a constant `type`
//! in the middle or at the end, because pydantic writes fields in declaration order and the
//! Python class declares `type` there: `{"annotations":[],"text":"hi","type":"output_text"}`.
//! For those we use a zero-sized marker field whose only value is that string. It is written
//! where it is declared, defaults to its value when absent (pydantic gives these a default),
//! and rejects any other string.
//!
//! Where it sits: protocol layer, a helper for the type modules; not part of the public API.

/// Declares a marker type whose one wire value is the given string.
macro_rules! literal_type {
    ($(#[$doc:meta])* $name:ident = $wire:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct $name;

        impl $name {
            /// The only value this marker has on the wire.
            pub const WIRE: &'static str = $wire;
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str($wire)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                if text == $wire {
                    Ok($name)
                } else {
                    Err(<D::Error as ::serde::de::Error>::invalid_value(
                        ::serde::de::Unexpected::Str(&text),
                        &concat!("\"", $wire, "\""),
                    ))
                }
            }
        }
    };
}

pub(crate) use literal_type;
