use leptos::prelude::*;
#[component]
pub fn AuditPage() -> impl IntoView {
    view! { <p>"a"</p> }
}
