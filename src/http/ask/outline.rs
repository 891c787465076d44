//! A widget as a few lines of text: one line per node, indented by depth, with the node's
//! type and the words it shows.
//!
//! `--ask` prints a finished widget item this way, so a student sees the shape of a card or a
//! list without reading its JSON:
//!
//! ```text
//! widget:
//!   Card
//!     Title "Weather"
//!     Row
//!       Text "Paris"
//!       Badge "18 °C"
//! ```
//!
//! A widget tree mixes two kinds of node (see `protocol::widget`): typed components (`Text`,
//! `Row`, …) and free-form ones (everything under a `Basic` root, and any node that did not
//! validate as its type). [`Node`] is either, so one walk covers both.

use crate::protocol::widget::{
    DynamicChildren, DynamicComponent, ListViewItem, WidgetComponent, WidgetRoot,
};

/// The outline of `root`, each line indented by two spaces per level, starting at `depth`.
pub(super) fn outline(root: &WidgetRoot, depth: usize) -> Vec<String> {
    let mut lines = Vec::new();
    push_lines(Node::root(root), depth, &mut lines);
    lines
}

/// Appends the line of `node` and then, one level deeper, those of its children.
fn push_lines(node: Node<'_>, depth: usize, lines: &mut Vec<String>) {
    let words = node
        .words()
        .map(|words| format!(" {words:?}"))
        .unwrap_or_default();
    lines.push(format!("{}{}{words}", "  ".repeat(depth), node.type_name()));
    for child in node.children() {
        push_lines(child, depth + 1, lines);
    }
}

/// One node of a widget tree, however it was read.
#[derive(Debug, Clone, Copy)]
enum Node<'a> {
    /// A typed `Card`, `ListView` or `Basic` root.
    Root(&'a WidgetRoot),
    /// A typed component, or a free-form one wrapped as `WidgetComponent::Dynamic`.
    Component(&'a WidgetComponent),
    /// A row of a `ListView` (typed, but not wrapped in a `WidgetComponent` there).
    ListItem(&'a ListViewItem),
    /// A free-form node.
    Dynamic(&'a DynamicComponent),
}

impl<'a> Node<'a> {
    /// The node for a root: a root that did not validate is walked as the free-form node it is.
    fn root(root: &'a WidgetRoot) -> Self {
        match root {
            WidgetRoot::Dynamic(node) => Node::Dynamic(node),
            typed => Node::Root(typed),
        }
    }

    /// The node's `type`: `"Card"`, `"Text"`, `"Table"`, ….
    fn type_name(self) -> &'a str {
        match self {
            Node::Root(root) => root.type_name(),
            Node::Component(component) => component.type_name(),
            Node::ListItem(_) => "ListViewItem",
            Node::Dynamic(node) => &node.kind,
        }
    }

    /// The text the node shows, for the components that show one.
    fn words(self) -> Option<&'a str> {
        match self {
            Node::Component(component) => match component {
                WidgetComponent::Text(text) => Some(&text.value),
                WidgetComponent::Title(title) => Some(&title.value),
                WidgetComponent::Caption(caption) => Some(&caption.value),
                WidgetComponent::Markdown(markdown) => Some(&markdown.value),
                WidgetComponent::Label(label) => Some(&label.value),
                WidgetComponent::Badge(badge) => Some(&badge.label),
                WidgetComponent::Button(button) => button.label.as_deref(),
                WidgetComponent::Checkbox(checkbox) => checkbox.label.as_deref(),
                WidgetComponent::Dynamic(node) => Node::Dynamic(node).words(),
                _ => None,
            },
            // A free-form node's props are plain JSON: take the first that usually holds text.
            Node::Dynamic(node) => ["value", "label", "title", "text"]
                .iter()
                .find_map(|prop| node.props.get(*prop)?.as_str()),
            Node::Root(_) | Node::ListItem(_) => None,
        }
    }

    /// The nodes directly below this one, in order.
    fn children(self) -> Vec<Node<'a>> {
        let components = |children: &'a [WidgetComponent]| -> Vec<Node<'a>> {
            children.iter().map(Node::Component).collect()
        };
        match self {
            Node::Root(WidgetRoot::Card(card)) => components(&card.children),
            Node::Root(WidgetRoot::ListView(list)) => {
                list.children.iter().map(Node::ListItem).collect()
            }
            Node::Root(WidgetRoot::Basic(basic)) => dynamic_children(basic.children.as_ref()),
            Node::Root(WidgetRoot::Dynamic(node)) => Node::Dynamic(node).children(),
            Node::ListItem(item) => components(&item.children),
            Node::Dynamic(node) => dynamic_children(node.children.as_ref()),
            Node::Component(component) => match component {
                WidgetComponent::Box(container) => components(flex(&container.layout.children)),
                WidgetComponent::Row(row) => components(flex(&row.layout.children)),
                WidgetComponent::Col(col) => components(flex(&col.layout.children)),
                WidgetComponent::Form(form) => components(flex(&form.layout.children)),
                WidgetComponent::ListViewItem(item) => components(&item.children),
                WidgetComponent::Transition(transition) => {
                    transition.children.iter().map(Node::Component).collect()
                }
                WidgetComponent::Dynamic(node) => Node::Dynamic(node).children(),
                _ => Vec::new(),
            },
        }
    }
}

/// A flex container's children: optional on the wire, none when absent.
fn flex(children: &Option<Vec<WidgetComponent>>) -> &[WidgetComponent] {
    children.as_deref().unwrap_or_default()
}

/// A free-form node's children: absent, one node, or a list.
fn dynamic_children(children: Option<&DynamicChildren>) -> Vec<Node<'_>> {
    match children {
        None => Vec::new(),
        Some(DynamicChildren::One(child)) => vec![Node::Dynamic(child)],
        Some(DynamicChildren::Many(children)) => children.iter().map(Node::Dynamic).collect(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_card_shows_each_component_with_its_words_indented_by_depth() {
        let card: WidgetRoot = serde_json::from_value(json!({
            "type": "Card",
            "children": [
                {"type": "Title", "value": "Weather"},
                {"type": "Row", "children": [
                    {"type": "Text", "value": "Paris"},
                    {"type": "Badge", "label": "18 °C"},
                ]},
                {"type": "Divider"},
            ],
        }))
        .expect("a valid card");
        assert_eq!(
            outline(&card, 1),
            [
                "  Card",
                "    Title \"Weather\"",
                "    Row",
                "      Text \"Paris\"",
                "      Badge \"18 °C\"",
                "    Divider",
            ]
        );
    }

    #[test]
    fn free_form_nodes_and_list_rows_are_walked_too() {
        let list: WidgetRoot = serde_json::from_value(json!({
            "type": "ListView",
            "children": [{"type": "ListViewItem", "children": [
                {"type": "Table", "title": "Scores", "children": {"type": "Cell", "text": "42"}},
            ]}],
        }))
        .expect("a valid list");
        assert_eq!(
            outline(&list, 0),
            [
                "ListView",
                "  ListViewItem",
                "    Table \"Scores\"",
                "      Cell \"42\"",
            ]
        );
    }
}
