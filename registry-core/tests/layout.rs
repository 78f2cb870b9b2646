//! The registration layout as users can observe it: one string cut into
//! name, identifier and module path, and what registrations of one type
//! share (see "Registration layout" in docs/architecture.md).

use registry_core::{BoxError, Factory, Implementation, Registration, declare_category};

pub trait Say: Send + Sync {
    fn say(&self) -> &'static str;
}

declare_category! {
    pub struct Sayers {
        name: "layout_test_sayer",
        title: "Sayers",
        description: "Registration layout tests.",
        object: dyn Say,
        args: (),
        metadata: (),
        internal: true,
    }
}

struct Hi;
impl Say for Hi {
    fn say(&self) -> &'static str {
        "hi"
    }
}
impl Implementation<Sayers> for Hi {
    const METADATA: () = ();
    const DESCRIPTION: &'static str = "Says hi.";
    fn create((): ()) -> Result<Self, BoxError> {
        Ok(Hi)
    }
}

registry_core::register_lazy!(Sayers, "hi", Hi, id = "hi_one");
registry_core::register_lazy!(Sayers, "hello_there", Hi, id = "h", priority = -3);

mod elsewhere {
    // A longest-possible name and identifier: the lengths are stored as u16.
    registry_core::register_lazy!(
        super::Sayers,
        "n2345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678",
        super::Hi,
        id = "i2345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678",
        origin = builtin
    );
}

fn registration(name: &str) -> &'static Registration<Sayers> {
    Factory::<Sayers>::get_class(name).unwrap()
}

#[test]
fn one_string_cut_into_name_identifier_and_module_path() {
    let long = "n2345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678";
    let long_id = format!("i{}", &long[1..]);
    let cases = [
        ("hi", "hi_one", module_path!().to_owned(), 0),
        ("hello_there", "h", module_path!().to_owned(), -3),
        (
            long,
            long_id.as_str(),
            format!("{}::elsewhere", module_path!()),
            0,
        ),
    ];
    for (name, identifier, module, priority) in cases {
        let info = registration(name).info();
        assert_eq!(
            (info.name(), info.identifier(), info.module_path()),
            (name, identifier, module.as_str())
        );
        assert_eq!(info.priority(), priority);
        assert_eq!(info.category(), "layout_test_sayer");
        assert_eq!(info.description(), "Says hi.");
        assert_eq!(info.type_path(), std::any::type_name::<Hi>());
        assert_eq!(info.type_id(), std::any::TypeId::of::<Hi>());
        assert_eq!(info.package().name(), "registry-core");
    }
    assert!(registration(long).info().origin() == registry_core::Origin::Builtin);
}

/// Registrations of one type share its constructor (one generic function
/// per type, not one closure per registration), taken on first use.
#[test]
fn registrations_of_one_type_share_its_constructor() {
    let (a, b) = (registration("hi"), registration("hello_there"));
    assert!(!a.is_loaded());
    let (make_a, make_b) = (a.constructor().unwrap(), b.constructor().unwrap());
    assert!(std::ptr::fn_addr_eq(make_a, make_b));
    assert_eq!(make_a(()).unwrap().say(), "hi");
    assert_eq!(b.create(()).unwrap().say(), "hi");
    assert!(a.is_loaded() && b.is_loaded());
}
