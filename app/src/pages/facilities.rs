use leptos::prelude::*;
#[component]
pub fn FacilitiesPage() -> impl IntoView {
    view! { <p>"f"</p> }
}
