//! JSON, byte for byte as `serde_json::to_string_pretty` (and `to_string`) write it: the core's
//! renderers (plan JSON, IAM documents, CloudFormation and Kubernetes JSON, YAML's quoted
//! strings) and the calculator's answer to each keystroke. (The CLI's own JSON outputs still use
//! serde_json; speed does not matter there and the bytes are the same.)
//!
//! Why not serde_json's own: the calculator's module is built for size (`opt-level = "z"`), and
//! there serde_json's string escaping (a per-byte loop that splits the slice at every byte, the
//! split not inlined) was a fifth of a keystroke's time in the core, and its `io::Write` plumbing
//! another tenth (Node's profiler, 10-container task definition, 2026-12-04). This writer scans a
//! string for the bytes JSON must escape and copies the runs between them into a `String`.
//! The tests beside it compare its output with serde_json's on every serde data-model shape and
//! on random values; the goldens compare the plans of the examples.

use serde::ser::{self, Serialize};
use std::fmt::Write as _;

/// `serde_json::to_string_pretty`'s output (two-space indent, `"key": value`).
pub fn to_string_pretty<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    write(value, true)
}

/// `serde_json::to_string`'s output (no white space): for JSON only a program reads, such as
/// the calculator's answer to a keystroke (a sixth fewer bytes to write, decode and parse than
/// pretty). The same writer as [`to_string_pretty`], so the module holds one copy of every
/// `Serialize` impl.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    write(value, false)
}

fn write<T: Serialize + ?Sized>(value: &T, pretty: bool) -> Result<String, Error> {
    let mut ser = Pretty {
        out: String::with_capacity(1024),
        depth: 0,
        pretty,
    };
    value.serialize(&mut ser)?;
    Ok(ser.out)
}

/// What could not be written (a map key that is not a string, a serializer's own error).
#[derive(Debug)]
pub struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// The integer methods of a `Serializer`, each writing the number with `$write` (as serde_json
/// does: in decimal, quoted when it is an object key).
macro_rules! integers {
    ($write:ident) => {
        integers!($write: serialize_i8 i8, serialize_i16 i16, serialize_i32 i32, serialize_i64 i64,
            serialize_i128 i128, serialize_u8 u8, serialize_u16 u16, serialize_u32 u32,
            serialize_u64 u64, serialize_u128 u128);
    };
    ($write:ident: $($method:ident $t:ty),*) => {
        $(fn $method(self, v: $t) -> Result<(), Error> {
            self.$write(v)
        })*
    };
}

struct Pretty {
    out: String,
    depth: usize,
    /// Line breaks and indentation, and a space after each key's colon.
    pretty: bool,
}

const INDENT: &str = "                                                                ";

impl Pretty {
    fn newline(&mut self) {
        if !self.pretty {
            return;
        }
        self.out.push('\n');
        let mut n = self.depth * 2;
        while n > 0 {
            let k = n.min(INDENT.len());
            self.out.push_str(&INDENT[..k]);
            n -= k;
        }
    }

    fn colon(&mut self) {
        self.out.push_str(if self.pretty { ": " } else { ":" });
    }

    fn string(&mut self, s: &str) {
        escape_into(&mut self.out, s);
    }

    fn open(&mut self, bracket: char) -> Compound<'_> {
        self.out.push(bracket);
        self.depth += 1;
        Compound {
            ser: self,
            first: true,
        }
    }

    /// `{"variant": ` of an externally tagged enum's variant with content.
    fn open_variant(&mut self, variant: &str) {
        self.out.push('{');
        self.depth += 1;
        self.newline();
        self.string(variant);
        self.colon();
    }

    fn close_variant(&mut self) {
        self.depth -= 1;
        self.newline();
        self.out.push('}');
    }

    /// A float as serde_json writes it (ryu's shortest form; NaN and infinities as null).
    fn float(&mut self, v: &impl Serialize) -> Result<(), Error> {
        let text = serde_json::to_string(v).map_err(ser::Error::custom)?;
        self.out.push_str(&text);
        Ok(())
    }

    fn display(&mut self, v: impl std::fmt::Display) -> Result<(), Error> {
        let _ = write!(self.out, "{v}");
        Ok(())
    }
}

/// Writes `s` as a JSON string literal: `"`, `\`, and the control characters escaped as
/// serde_json escapes them (short forms where JSON has one, else `\u00xx`); everything else,
/// non-ASCII included, as is.
pub(crate) fn escape_into(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b >= 0x20 && b != b'"' && b != b'\\' {
            i += 1;
            continue;
        }
        // `i` is at an ASCII byte and `run` just after one: both are character boundaries.
        out.push_str(&s[run..i]);
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 0xf) as usize] as char);
            }
        }
        i += 1;
        run = i;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// An array or an object being written.
struct Compound<'a> {
    ser: &'a mut Pretty,
    first: bool,
}

impl<'a> Compound<'a> {
    fn element(&mut self) {
        if !self.first {
            self.ser.out.push(',');
        }
        self.first = false;
        self.ser.newline();
    }

    fn close(self, bracket: char) -> &'a mut Pretty {
        self.ser.depth -= 1;
        if !self.first {
            self.ser.newline();
        }
        self.ser.out.push(bracket);
        self.ser
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        self.element();
        self.ser.string(key);
        self.ser.colon();
        value.serialize(&mut *self.ser)
    }
}

impl<'a> ser::Serializer for &'a mut Pretty {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    integers!(display);
    // Floats as serde_json writes them (its shortest round-trip form; NaN and infinities as
    // null): they are rare here (numbers a user wrote into a passed-through value).
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.float(&v)
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.float(&v)
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        use ser::SerializeSeq;
        let mut seq = self.serialize_seq(Some(v.len()))?;
        for b in v {
            seq.serialize_element(b)?;
        }
        seq.end()
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.out.push_str("null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, v: &'static str) -> Result<(), Error> {
        self.string(v);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.open_variant(variant);
        value.serialize(&mut *self)?;
        self.close_variant();
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(self.open('['))
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Error> {
        self.open_variant(variant);
        Ok(self.open('['))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(self.open('{'))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, Error> {
        Ok(self.open('{'))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Error> {
        self.open_variant(variant);
        Ok(self.open('{'))
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element();
        value.serialize(&mut *self.ser)
    }
    fn end(self) -> Result<(), Error> {
        self.close(']');
        Ok(())
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), Error> {
        self.close(']').close_variant();
        Ok(())
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.element();
        key.serialize(MapKey(&mut *self.ser))?;
        self.ser.colon();
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.ser)
    }
    fn end(self) -> Result<(), Error> {
        self.close('}');
        Ok(())
    }
}

/// An object key: a string, or what serde_json quotes into one (a number, a bool, a char, a
/// unit variant); anything else is an error, as in serde_json.
struct MapKey<'a>(&'a mut Pretty);

fn key_error() -> Error {
    Error("key must be a string".into())
}

impl MapKey<'_> {
    fn quoted(self, v: impl std::fmt::Display) -> Result<(), Error> {
        self.0.out.push('"');
        self.0.display(v)?;
        self.0.out.push('"');
        Ok(())
    }

    /// A float key, quoted in serde_json's form; NaN and infinities refused, as there.
    fn float(self, finite: bool, v: &impl Serialize) -> Result<(), Error> {
        if !finite {
            return Err(Error("float key must be finite".into()));
        }
        let text = serde_json::to_string(v).map_err(ser::Error::custom)?;
        self.quoted(text)
    }
}

impl ser::Serializer for MapKey<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.0.string(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, v: &'static str) -> Result<(), Error> {
        self.serialize_str(v)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.quoted(v)
    }
    integers!(quoted);
    // serde_json's shortest form of each width: 0.1f32 is "0.1", not the f64 it widens to.
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.float(v.is_finite(), &v)
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.float(v.is_finite(), &v)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_none(self) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_error())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_error())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_error())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_error())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_error())
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), Error> {
        self.close('}');
        Ok(())
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), Error> {
        self.close('}').close_variant();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{to_string, to_string_pretty};
    use proptest::prelude::*;
    use serde::Serialize;
    use serde_json::Value;

    fn same<T: Serialize + ?Sized>(v: &T) {
        assert_eq!(
            to_string_pretty(v).unwrap(),
            serde_json::to_string_pretty(v).unwrap()
        );
        assert_eq!(to_string(v).unwrap(), serde_json::to_string(v).unwrap());
    }

    /// Every shape serde's data model has, as serde_json writes it.
    #[test]
    fn writes_every_shape_as_serde_json_does() {
        #[derive(Serialize)]
        enum E {
            Unit,
            New(u8),
            Tuple(i32, &'static str),
            Struct { a: Vec<u8>, b: Option<bool> },
            EmptyStruct {},
        }
        #[derive(Serialize)]
        struct S<'a> {
            unit: (),
            units: Vec<E>,
            chars: (char, char),
            text: &'a str,
            empty: Vec<u8>,
            empty_map: std::collections::BTreeMap<String, u8>,
            int_keys: std::collections::BTreeMap<i64, Vec<()>>,
            floats: (f32, f64, f64, f64),
            big: (u128, i128, u64, i64),
            nested: Vec<Vec<Vec<u8>>>,
            #[serde(flatten)]
            flat: std::collections::BTreeMap<&'static str, Value>,
        }
        let s = S {
            unit: (),
            units: vec![
                E::Unit,
                E::New(7),
                E::Tuple(-3, "x"),
                E::Struct {
                    a: vec![],
                    b: Some(false),
                },
                E::EmptyStruct {},
            ],
            chars: ('"', 'é'),
            text: "quote \" backslash \\ nl \n cr \r tab \t bs \u{8} ff \u{c} nul \0 us \u{1f} del \u{7f} é 💡 / end",
            empty: vec![],
            empty_map: Default::default(),
            int_keys: [(-1, vec![()]), (2, vec![])].into_iter().collect(),
            floats: (1.5, 1.0, f64::NAN, 1e21),
            big: (u128::MAX, i128::MIN, u64::MAX, i64::MIN),
            nested: vec![vec![], vec![vec![], vec![1, 2]]],
            flat: [("z", serde_json::json!({"k": [null, {}, []]}))].into_iter().collect(),
        };
        same(&s);
        same(&E::Tuple(1, "y"));
        same(&[(); 0]);
        same("");
    }

    /// Keys serde_json quotes: an Option's content, each float width's shortest form.
    #[test]
    fn writes_quoted_keys_as_serde_json_does() {
        let some: std::collections::BTreeMap<Option<&str>, u8> =
            [(Some("a"), 1)].into_iter().collect();
        same(&some);
        let f32s: std::collections::HashMap<OrderedKey, u8> =
            [(OrderedKey(0.1), 1)].into_iter().collect();
        same(&f32s);
    }

    /// An f32 usable as a map key (serde_json writes float keys quoted).
    #[derive(PartialEq)]
    struct OrderedKey(f32);
    impl Eq for OrderedKey {}
    impl std::hash::Hash for OrderedKey {
        fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
            self.0.to_bits().hash(h)
        }
    }
    impl Serialize for OrderedKey {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_f32(self.0)
        }
    }

    #[test]
    fn a_non_string_key_is_an_error_not_a_panic() {
        let m: std::collections::BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into_iter().collect();
        assert!(to_string_pretty(&m).is_err());
        assert!(serde_json::to_string_pretty(&m).is_err());
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            any::<String>().prop_map(Value::String),
            "[\"\\\\\\n\\t\\u{0}-\\u{1f}a-zé]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((any::<String>(), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Any JSON value a user's document can hold is written as serde_json writes it.
        #[test]
        fn writes_any_value_as_serde_json_does(v in value()) {
            prop_assert_eq!(to_string_pretty(&v).unwrap(), serde_json::to_string_pretty(&v).unwrap());
            prop_assert_eq!(to_string(&v).unwrap(), serde_json::to_string(&v).unwrap());
        }
    }
}
