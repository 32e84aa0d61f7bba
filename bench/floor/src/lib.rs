//! The least a Leptos islands bundle can be (`bench/floor/measure.sh`): one island with a signal, a click handler and a
//! reactive text; with `--features props`, the island also takes a String prop (which Leptos
//! reads with serde_json).
use leptos::prelude::*;

#[cfg(not(feature = "props"))]
#[island]
pub fn Counter() -> impl IntoView {
    let (n, set_n) = signal(0u32);
    view! { <button on:click=move |_| set_n.update(|n| *n += 1)>{move || format!("Clicked {}", n.get())}</button> }
}

#[cfg(feature = "props")]
#[island]
pub fn Counter(label: String) -> impl IntoView {
    let (n, set_n) = signal(0u32);
    view! { <button on:click=move |_| set_n.update(|n| *n += 1)>{move || format!("{label} {}", n.get())}</button> }
}

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    leptos::mount::hydrate_islands();
}
