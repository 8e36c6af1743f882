//! Small SVG charts for the dashboard: a share against its target, a monthly line, monthly bars.
//! Plain SVG with a viewBox, so they scale on a phone and print sharply; every chart has a text
//! alternative (`<title>` and the figures beside it).

use leptos::prelude::*;

/// A horizontal bar: the share filled, the target marked.
#[component]
pub fn TargetBar(percent: Option<f64>, target: Option<f64>, label: String) -> impl IntoView {
    let width = percent.unwrap_or(0.0).clamp(0.0, 100.0);
    let met = matches!((percent, target), (Some(p), Some(t)) if p >= t);
    let fill = if target.is_none() {
        "chart-fill"
    } else if met {
        "chart-fill ok"
    } else {
        "chart-fill warn"
    };
    view! {
        <svg class="target-bar" viewBox="0 0 100 12" preserveAspectRatio="none" role="img">
            <title>{label}</title>
            <rect class="chart-track" x="0" y="2" width="100" height="8" rx="2"/>
            <rect class=fill x="0" y="2" width=format!("{width:.1}") height="8" rx="2"/>
            {target.map(|t| view! { <line class="chart-target" x1=format!("{t:.1}") x2=format!("{t:.1}") y1="0" y2="12"/> })}
        </svg>
    }
}

// A small drawing area, so that the 11-unit text renders at 12 px or more once the chart is
// scaled to a phone's width (about 290 px); on a wide screen the chart stops at 28rem.
const W: f64 = 240.0;
const H: f64 = 110.0;
const LEFT: f64 = 24.0;
const BOTTOM: f64 = 16.0;

fn x_of(i: usize, n: usize) -> f64 {
    let step = (W - LEFT - 8.0) / (n.max(1) as f64);
    LEFT + step * (i as f64 + 0.5)
}

/// A line of percentages by month (gaps where a month has no data), with a 0–100 axis.
#[component]
pub fn MonthlyLine(
    points: Vec<(String, Option<f64>)>,
    target: Option<f64>,
    label: String,
) -> impl IntoView {
    let n = points.len();
    let y_of = |p: f64| (H - BOTTOM) - (p.clamp(0.0, 100.0) / 100.0) * (H - BOTTOM - 8.0);
    let mut path = String::new();
    let mut pen_down = false;
    for (i, (_, value)) in points.iter().enumerate() {
        match value {
            Some(v) => {
                path.push_str(&format!(
                    "{}{:.1},{:.1} ",
                    if pen_down { "L" } else { "M" },
                    x_of(i, n),
                    y_of(*v)
                ));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    view! {
        <svg class="chart" viewBox=format!("0 0 {W} {H}") role="img">
            <title>{label}</title>
            {[0.0, 50.0, 100.0].into_iter().map(|g| view! {
                <line class="chart-grid" x1=LEFT x2=W - 4.0 y1=y_of(g) y2=y_of(g)/>
                <text class="chart-axis" x=LEFT - 3.0 y=y_of(g) + 3.5 text-anchor="end">{format!("{g:.0}")}</text>
            }).collect_view()}
            {target.map(|t| view! { <line class="chart-target" x1=LEFT x2=W - 4.0 y1=y_of(t) y2=y_of(t)/> })}
            <path class="chart-line" d=path/>
            {points.iter().enumerate().filter_map(|(i, (_, v))| v.map(|v| view! {
                <circle class="chart-dot" cx=x_of(i, n) cy=y_of(v) r="2.5"/>
            })).collect_view()}
            {points.iter().enumerate().map(|(i, (month, _))| view! {
                <text class="chart-axis" x=x_of(i, n) y=H - 4.0 text-anchor="middle">{month.clone()}</text>
            }).collect_view()}
        </svg>
    }
}

/// Bars of counts by month; a hidden (suppressed) count draws no bar and says "<N".
#[component]
pub fn MonthlyBars(values: Vec<(String, u32, Option<String>)>, label: String) -> impl IntoView {
    let n = values.len();
    let max = values.iter().map(|(_, v, _)| *v).max().unwrap_or(0).max(1) as f64;
    let height = |v: u32| (f64::from(v) / max) * (H - BOTTOM - 14.0);
    let step = (W - LEFT - 8.0) / (n.max(1) as f64);
    view! {
        <svg class="chart" viewBox=format!("0 0 {W} {H}") role="img">
            <title>{label}</title>
            <line class="chart-grid" x1=LEFT x2=W - 4.0 y1=H - BOTTOM y2=H - BOTTOM/>
            {values.iter().enumerate().map(|(i, (month, v, hidden))| {
                let h = height(*v);
                let x = x_of(i, n) - step * 0.35;
                let shown = hidden.clone().unwrap_or_else(|| v.to_string());
                view! {
                    <rect class="chart-bar" x=x y=H - BOTTOM - h width=step * 0.7 height=h/>
                    <text class="chart-value" x=x_of(i, n) y=H - BOTTOM - h - 3.0 text-anchor="middle">{shown}</text>
                    <text class="chart-axis" x=x_of(i, n) y=H - 4.0 text-anchor="middle">{month.clone()}</text>
                }
            }).collect_view()}
        </svg>
    }
}
