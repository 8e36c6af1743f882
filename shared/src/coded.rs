//! Coded enums: an enum whose values travel and are stored as short stable codes (a role, a
//! record type, a referral status). [`coded!`] declares one from a single list of
//! `Variant = "code"`: the enum, its serde name for each variant (the code itself), `ALL` in
//! declaration order, `code()` and `from_code()`. A new variant is one line, and nothing can
//! forget it: `ALL` and both directions are generated from the same list.
//!
//! The frozen *integer* codes the indicator facts store are another thing
//! ([`crate::indicators::codes`]).

/// What every coded enum offers, for code that works on any of them (the tests, the golden files).
pub trait Coded: Copy + Eq + std::fmt::Debug + 'static {
    /// Every value, in declaration order.
    fn all() -> &'static [Self];
    /// The stable code on the wire and in the database.
    fn code(self) -> &'static str;
    fn from_code(code: &str) -> Option<Self>;
}

/// Declares a coded enum (see the module). The enum's own attributes (derives, docs) come first
/// and are kept; each variant's serde name is its code, whatever `rename_all` says. The code is
/// taken as a token tree, not a `literal` fragment: a fragment reaches derives wrapped in an
/// invisible group, which serde reads but utoipa's schema derive skips (the OpenAPI document
/// would then name the Rust variants).
#[macro_export]
macro_rules! coded {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:tt ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$variant),+];

            /// The stable code on the wire and in the database (its serde name).
            pub const fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            pub fn from_code(code: &str) -> Option<$name> {
                match code {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl $crate::coded::Coded for $name {
            fn all() -> &'static [Self] {
                &$name::ALL
            }

            fn code(self) -> &'static str {
                $name::code(self)
            }

            fn from_code(code: &str) -> Option<Self> {
                $name::from_code(code)
            }
        }
    };
}
