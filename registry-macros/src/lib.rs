//! Procedural macros of the `registry-core` crate: `register_lazy!`,
//! `#[register]` and `dynamic_str_enum!`. Use them through `registry_core`,
//! which re-exports them with their full documentation and examples; what
//! they expand to names `::registry_core`, so they do not work without it.
//!
//! `register_lazy!` and `#[register]` expand to the same thing: a `static`
//! registration submitted to the registry. Names and identifiers are checked
//! here, at compile time, with the rule of the `registry-name-rule` crate
//! (the one `registry_core::name` applies at run time), so a bad one is an
//! error pointing at the literal that is wrong.

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::quote;
use syn::Type;
use syn::spanned::Spanned;

mod name;
mod register;
mod str_enum;

use register::{Head, RegisterLazy, expand};

/// The name and identifier literals are checked while the macro expands: a
/// malformed one (not `[a-z0-9][a-z0-9_]*`, at most 128 bytes), a missing
/// `id`, an unknown or repeated option is a compile error pointing at it,
/// with the canonical spelling to write when there is one.
#[proc_macro]
pub fn register_lazy(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as RegisterLazy);
    expand(&input.head, &input.ty).into()
}

/// Checked like `register_lazy!`; the item must be a struct, enum or union
/// without generic parameters (register a concrete instance of a generic
/// type with `register_lazy!`).
#[proc_macro_attribute]
pub fn register(args: TokenStream, item: TokenStream) -> TokenStream {
    let head = syn::parse_macro_input!(args as Head);
    let item = syn::parse_macro_input!(item as syn::Item);
    let (ident, generics) = match &item {
        syn::Item::Struct(s) => (&s.ident, &s.generics),
        syn::Item::Enum(e) => (&e.ident, &e.generics),
        syn::Item::Union(u) => (&u.ident, &u.generics),
        other => {
            return syn::Error::new(
                item_span(other),
                "#[register] goes on a struct, enum or union; register other types with register_lazy!",
            )
            .to_compile_error()
            .into();
        }
    };
    if !generics.params.is_empty() {
        return syn::Error::new(
            generics.span(),
            "#[register] cannot register a generic type; register each concrete type with \
             register_lazy!(Category, \"name\", Type<Concrete>, id = \"...\")",
        )
        .to_compile_error()
        .into();
    }
    let ty: Type = syn::parse_quote_spanned!(ident.span()=> #ident);
    let registration = expand(&head, &ty);
    quote!(#item #registration).into()
}

fn item_span(item: &syn::Item) -> Span {
    match item {
        syn::Item::Fn(f) => f.sig.ident.span(),
        syn::Item::Trait(t) => t.ident.span(),
        syn::Item::Impl(i) => i.impl_token.span,
        _ => Span::call_site(),
    }
}

/// Compile-time errors, each pointing at the mistake: an empty or
/// non-canonical name, the same name on two variants, a variant named
/// `Other`.
#[proc_macro]
pub fn dynamic_str_enum(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as str_enum::StrEnum);
    input.expand().into()
}
