//! `register_lazy!` / `#[register]`: parsing and expansion.

use proc_macro2::TokenStream as TokenStream2;
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Ident, LitInt, LitStr, Path, Token, Type};

use crate::name::check_name;

/// `Category, "name", <options>` — shared by both forms.
pub(crate) struct Head {
    category: Path,
    name: LitStr,
    identifier: LitStr,
    priority: Option<LitInt>,
    origin: Option<Ident>,
}

/// `Category, "name", Type, <options>`.
pub(crate) struct RegisterLazy {
    pub(crate) head: Head,
    pub(crate) ty: Type,
}

/// What a registration's first argument must be, for the messages that
/// say it is not (in the words of `Category`'s own message, which the
/// compiler gives for a type that is not a category: only it can tell).
const CATEGORY_RULE: &str = "the first argument must be a category marker type declared with \
                             `declare_category!` (e.g. `EndpointCategory`)";

/// The first argument: a path to a category marker type. What is plainly
/// not a type (a string, a snake_case name such as the category's name) is
/// rejected here, with the rule; whether a type path names a category is
/// left to the compiler (see `expand`).
fn parse_category(input: ParseStream) -> syn::Result<Path> {
    if let Ok(lit) = input.parse::<LitStr>() {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "{:?} is not a registry category: {CATEGORY_RULE}, not a string; the name \
                 comes second",
                lit.value()
            ),
        ));
    }
    let category: Path = input.parse()?;
    let last = category.segments.last().map(|s| s.ident.to_string());
    if let Some(last) = last.filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase())) {
        return Err(syn::Error::new(
            category.span(),
            format!("`{last}` is not a registry category: {CATEGORY_RULE}, not a name"),
        ));
    }
    Ok(category)
}

impl Parse for RegisterLazy {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let category = parse_category(input)?;
        input.parse::<Token![,]>()?;
        let name = parse_name(input, "name")?;
        input.parse::<Token![,]>()?;
        let ty: Type = input.parse()?;
        let head = parse_options(input, category, name)?;
        Ok(RegisterLazy { head, ty })
    }
}

impl Parse for Head {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let category = parse_category(input)?;
        input.parse::<Token![,]>()?;
        let name = parse_name(input, "name")?;
        parse_options(input, category, name)
    }
}

fn parse_name(input: ParseStream, what: &str) -> syn::Result<LitStr> {
    let lit: LitStr = input.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            format!("expected the {what} as a string literal, e.g. \"chat\""),
        )
    })?;
    check_name(&lit, what)?;
    Ok(lit)
}

/// `, id = "...", priority = N, origin = builtin|plugin` in any order.
fn parse_options(input: ParseStream, category: Path, name: LitStr) -> syn::Result<Head> {
    let mut identifier: Option<LitStr> = None;
    let mut priority: Option<LitInt> = None;
    let mut origin: Option<Ident> = None;
    while !input.is_empty() {
        input.parse::<Token![,]>()?;
        if input.is_empty() {
            break;
        }
        let key: Ident = input.parse()?;
        input.parse::<Token![=]>()?;
        let duplicate = |set: bool| {
            if set {
                Err(syn::Error::new(
                    key.span(),
                    format!("`{key}` is given twice"),
                ))
            } else {
                Ok(())
            }
        };
        match key.to_string().as_str() {
            "id" => {
                duplicate(identifier.is_some())?;
                identifier = Some(parse_name(input, "identifier")?);
            }
            "priority" => {
                duplicate(priority.is_some())?;
                let negative = input.parse::<Option<Token![-]>>()?.is_some();
                let lit: LitInt = input.parse()?;
                let value: i64 = lit.base10_parse()?;
                let value = if negative { -value } else { value };
                if i32::try_from(value).is_err() {
                    return Err(syn::Error::new(lit.span(), "priority must fit in an i32"));
                }
                priority = Some(LitInt::new(&value.to_string(), lit.span()));
            }
            "origin" => {
                duplicate(origin.is_some())?;
                let value: Ident = input.parse()?;
                if value != "builtin" && value != "plugin" {
                    return Err(syn::Error::new(
                        value.span(),
                        "origin is `builtin` (the application's own registry file) or `plugin`",
                    ));
                }
                origin = Some(value);
            }
            _ => {
                return Err(syn::Error::new(
                    key.span(),
                    format!(
                        "unknown option `{key}`; the options are `id`, `priority` and `origin`"
                    ),
                ));
            }
        }
    }
    let identifier = identifier.ok_or_else(|| {
        syn::Error::new(
            name.span(),
            "missing `id = \"...\"`: every registration needs an identifier, unique within its \
             category and name (e.g. `id = \"openai_chat\"`)",
        )
    })?;
    Ok(Head {
        category,
        name,
        identifier,
        priority,
        origin,
    })
}

pub(crate) fn expand(head: &Head, ty: &Type) -> TokenStream2 {
    let Head {
        category,
        name,
        identifier,
        priority,
        origin,
    } = head;
    let priority = priority.as_ref().map_or_else(|| quote!(0), |p| quote!(#p));
    let origin = match origin {
        Some(o) if o == "builtin" => quote_spanned!(o.span()=> Builtin),
        _ => quote!(Plugin),
    };
    // Spans: an unknown category points at the category path, a type that
    // does not implement the category's trait points at the type.
    //
    // The category is named through a projection that fails once when the
    // first argument is not a category, and every other use of it is then
    // quiet; the expressions and types around its uses carry the category's
    // span too, so that the one failure is reported once, at the category.
    let cat = quote_spanned!(category.span()=> __RegistryCategory);
    let alias = quote_spanned!(category.span()=>
        type #cat = <#category as ::registry_core::Category>::__Marker;
    );
    let registration = quote_spanned!(category.span()=> ::registry_core::Registration<#cat>);
    let imp = quote_spanned!(ty.span()=> __RegistryImplementation);
    // The hash the name table files the name under, computed here once
    // instead of by every process on its first lookup (see
    // `registry_name_rule::name_hash`).
    let hash = LitInt::new(
        &format!("{:#x}_u64", registry_name_rule::name_hash(&name.value())),
        name.span(),
    );
    // One string for the registration's own text, cut at these lengths:
    // one pointer for the loader to relocate instead of three. Names and
    // identifiers are canonical, so at most 128 bytes.
    let name_len = LitInt::new(&format!("{}_u16", name.value().len()), name.span());
    let identifier_len = LitInt::new(
        &format!("{}_u16", identifier.value().len()),
        identifier.span(),
    );
    let site = quote! {
        ::registry_core::__private::Site {
            text: ::core::concat!(#name, #identifier, ::core::module_path!()),
            name_len: #name_len,
            identifier_len: #identifier_len,
            name_hash: #hash,
            origin: ::registry_core::Origin::#origin,
            priority: #priority,
            shared: &::registry_core::__private::SharedInfo::__new::<#cat, #imp>(
                &::registry_core::package!(),
            ),
        }
    };
    let init = quote_spanned!(category.span()=>
        ::registry_core::Registration::<#cat>::__new::<#imp>(#site)
    );
    quote! {
        const _: () = {
            #alias
            type #imp = #ty;
            static __REGISTRY_REGISTRATION: #registration = #init;
            ::registry_core::__submit_registration!(__REGISTRY_REGISTRATION);
        };
    }
}
