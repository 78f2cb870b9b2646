//! `dynamic_str_enum!`: a string enum of known names plus `Other(Name)`.

use proc_macro2::TokenStream as TokenStream2;
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Ident, LitStr, Path, Token, Visibility, braced};

use crate::name::check_name;

/// The macro input: attributes, `vis enum Name { Variant = "name", ... }`.
pub(crate) struct StrEnum {
    attrs: Vec<Attribute>,
    category: Option<Path>,
    vis: Visibility,
    ident: Ident,
    variants: Vec<Variant>,
}

struct Variant {
    attrs: Vec<Attribute>,
    ident: Ident,
    name: LitStr,
}

impl Parse for Variant {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let ident: Ident = input.parse()?;
        input.parse::<Token![=]>().map_err(|e| {
            syn::Error::new(
                e.span(),
                format!("expected `{ident} = \"name\"`: every variant has its name as a string"),
            )
        })?;
        let name: LitStr = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected the name as a string literal, e.g. \"chat\"",
            )
        })?;
        Ok(Variant { attrs, ident, name })
    }
}

impl Parse for StrEnum {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut attrs = input.call(Attribute::parse_outer)?;
        let mut category = None;
        let mut kept = Vec::with_capacity(attrs.len());
        for attr in attrs.drain(..) {
            if attr.path().is_ident("category") {
                if category.is_some() {
                    return Err(syn::Error::new_spanned(
                        attr,
                        "`#[category(..)]` is given twice",
                    ));
                }
                category = Some(attr.parse_args::<Path>()?);
            } else {
                kept.push(attr);
            }
        }
        let vis: Visibility = input.parse()?;
        input.parse::<Token![enum]>()?;
        let ident: Ident = input.parse()?;
        let content;
        braced!(content in input);
        let variants: Punctuated<Variant, Token![,]> =
            content.parse_terminated(Variant::parse, Token![,])?;
        let variants: Vec<Variant> = variants.into_iter().collect();
        check_variants(&variants)?;
        Ok(StrEnum {
            attrs: kept,
            category,
            vis,
            ident,
            variants,
        })
    }
}

fn check_variants(variants: &[Variant]) -> syn::Result<()> {
    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    for (i, v) in variants.iter().enumerate() {
        if v.ident == "Other" {
            push(syn::Error::new(
                v.ident.span(),
                "a variant cannot be named `Other`: the macro adds `Other(Name)` for every name \
                 that is not listed; rename this variant",
            ));
        }
        if let Err(e) = check_name(&v.name, "name") {
            push(e);
            continue;
        }
        if let Some(first) = variants[..i]
            .iter()
            .find(|w| w.name.value() == v.name.value())
        {
            push(syn::Error::new(
                v.name.span(),
                format!(
                    "duplicate name \"{}\": it is already the name of `{}`; each name maps to one variant",
                    v.name.value(),
                    first.ident
                ),
            ));
        }
    }
    errors.map_or(Ok(()), Err)
}

impl StrEnum {
    pub(crate) fn expand(&self) -> TokenStream2 {
        let StrEnum {
            attrs,
            category,
            vis,
            ident,
            variants,
        } = self;
        let rc = quote!(::registry_core);
        let serde = quote!(::registry_core::__private::serde);
        let idents: Vec<&Ident> = variants.iter().map(|v| &v.ident).collect();
        let names: Vec<&LitStr> = variants.iter().map(|v| &v.name).collect();
        let variant_defs = variants.iter().map(|v| {
            let attrs = &v.attrs;
            let ident = &v.ident;
            let doc = format!("`\"{}\"`", v.name.value());
            if attrs.iter().any(|a| a.path().is_ident("doc")) {
                quote!(#(#attrs)* #[doc = ""] #[doc = #doc] #ident)
            } else {
                quote!(#(#attrs)* #[doc = #doc] #ident)
            }
        });
        let count = variants.len();
        let category_items = category.as_ref().map(|category| {
            quote! {
                /// The registration this name selects in the live registry
                /// (nothing is constructed), or the registry's error with the
                /// available names and a suggestion.
                pub fn registration(
                    &self,
                ) -> ::core::result::Result<&'static #rc::Registration<#category>, #rc::RegistryError> {
                    #rc::Factory::<#category>::get_class(self.as_str())
                }

                /// Parses `input` and checks that the registry has it: the
                /// validating form, for user input that must name something
                /// linked.
                pub fn parse_registered(input: &str) -> ::core::result::Result<Self, #rc::RegistryError> {
                    let value = Self::parse(input).map_err(|source| #rc::RegistryError::InvalidName {
                        what: ::std::format!("{} name", <#category as #rc::Category>::INFO.name()),
                        source,
                    })?;
                    value.registration()?;
                    ::core::result::Result::Ok(value)
                }
            }
        });
        let other = format_ident!("Other");
        quote! {
            #(#attrs)*
            #[derive(::core::clone::Clone, ::core::fmt::Debug)]
            #vis enum #ident {
                #(#variant_defs,)*
                /// Any other well-formed name (e.g. a plugin's), in canonical spelling.
                #other(#rc::name::Name),
            }

            impl #ident {
                /// The known variants, in declaration order (`Other` is not one).
                pub const KNOWN: &'static [#ident; #count] = &[#(#ident::#idents),*];

                /// The canonical name.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(#ident::#idents => #names,)*
                        #ident::#other(name) => name.as_str(),
                    }
                }

                /// Whether this is a known variant (not `Other`).
                pub const fn is_known(&self) -> bool {
                    !::core::matches!(self, #ident::#other(_))
                }

                /// The known variant spelled exactly `name`, if any: the one
                /// match of the known names, shared by the constructors.
                fn __known(name: &str) -> ::core::option::Option<Self> {
                    ::core::option::Option::Some(match name {
                        #(#names => #ident::#idents,)*
                        _ => return ::core::option::Option::None,
                    })
                }

                /// The variant of a canonical name: a known one, else `Other`.
                pub fn from_name(name: #rc::name::Name) -> Self {
                    Self::__known(name.as_str()).unwrap_or(#ident::#other(name))
                }

                /// Parses user input with the registry's normalisation (ASCII
                /// case-insensitive, `-` equals `_`, blanks trimmed): a known
                /// name in any spelling gives its variant, any other
                /// well-formed name gives `Other`; only a malformed name is
                /// an error.
                pub fn parse(input: &str) -> ::core::result::Result<Self, #rc::name::NameError> {
                    // Canonical input, the common case, needs no normalising
                    // (every known name is canonical); known names in any
                    // spelling never allocate: only `Other` does.
                    if let ::core::option::Option::Some(known) = Self::__known(input) {
                        return ::core::result::Result::Ok(known);
                    }
                    let mut buf = [0u8; #rc::name::MAX_LEN];
                    let key = #rc::name::normalize_into(input, &mut buf)?;
                    ::core::result::Result::Ok(Self::__known(key).unwrap_or_else(|| {
                        #ident::#other(#rc::name::Name::__from_normalized(key))
                    }))
                }

                /// For constants, e.g. a plugin's own names:
                /// `pub const MINE: T = T::from_static("mine");`. The name
                /// must be canonical (a compile error in a `const`); a known
                /// name gives its known variant.
                pub const fn from_static(name: &'static str) -> Self {
                    #(
                        if #rc::name::__str_eq(name, #names) {
                            return #ident::#idents;
                        }
                    )*
                    #ident::#other(#rc::name::Name::from_static(name))
                }

                #category_items
            }

            impl ::core::fmt::Display for #ident {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            impl ::core::str::FromStr for #ident {
                type Err = #rc::name::NameError;
                fn from_str(input: &str) -> ::core::result::Result<Self, Self::Err> {
                    Self::parse(input)
                }
            }

            impl ::core::convert::TryFrom<&str> for #ident {
                type Error = #rc::name::NameError;
                fn try_from(input: &str) -> ::core::result::Result<Self, Self::Error> {
                    Self::parse(input)
                }
            }

            impl ::core::convert::From<#rc::name::Name> for #ident {
                fn from(name: #rc::name::Name) -> Self {
                    Self::from_name(name)
                }
            }

            impl ::core::cmp::PartialEq for #ident {
                fn eq(&self, other: &Self) -> bool {
                    self.as_str() == other.as_str()
                }
            }

            impl ::core::cmp::Eq for #ident {}

            impl ::core::hash::Hash for #ident {
                fn hash<H: ::core::hash::Hasher>(&self, state: &mut H) {
                    self.as_str().hash(state)
                }
            }

            impl ::core::cmp::PartialOrd for #ident {
                fn partial_cmp(&self, other: &Self) -> ::core::option::Option<::core::cmp::Ordering> {
                    ::core::option::Option::Some(::core::cmp::Ord::cmp(self, other))
                }
            }

            impl ::core::cmp::Ord for #ident {
                fn cmp(&self, other: &Self) -> ::core::cmp::Ordering {
                    self.as_str().cmp(other.as_str())
                }
            }

            /// Equal when `other` normalises to this name (`"Chat"` equals `Chat`).
            impl ::core::cmp::PartialEq<str> for #ident {
                fn eq(&self, other: &str) -> bool {
                    #rc::name::normalize(other).is_ok_and(|n| n == self.as_str())
                }
            }

            impl ::core::cmp::PartialEq<&str> for #ident {
                fn eq(&self, other: &&str) -> bool {
                    *self == **other
                }
            }

            impl ::core::cmp::PartialEq<#ident> for &str {
                fn eq(&self, other: &#ident) -> bool {
                    *other == **self
                }
            }

            impl #serde::Serialize for #ident {
                fn serialize<S: #serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }

            impl<'de> #serde::Deserialize<'de> for #ident {
                fn deserialize<D: #serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                    let name = <#rc::name::Name as #serde::Deserialize>::deserialize(deserializer)?;
                    ::core::result::Result::Ok(Self::from_name(name))
                }
            }
        }
    }
}
