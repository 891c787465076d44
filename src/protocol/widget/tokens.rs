//! Design tokens: the closed sets of strings a widget prop may take (`"sm"`, `"center"`, …).
//!
//! Each set is an enum whose variants carry their wire strings, so a misspelt token is caught
//! when reading (the component then falls back to a free-form node, as in the reference) and
//! cannot be written at all. Python counterpart: the `Literal[...]` aliases and inline literals
//! of `chatkit/widgets.py` (`RadiusValue`, `TextSize`, `ControlSize`, …); the Rust names of the
//! inline ones (`FontWeight`, `BadgeColor`, …) are ours.

use serde::{Deserialize, Serialize};

/// Declares a token enum from `Variant = "wire"` pairs; each variant's doc is its wire string.
macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $wire:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(
                #[doc = concat!("`\"", $wire, "\"`")]
                #[serde(rename = $wire)]
                $variant,
            )*
        }
    };
}

wire_enum! {
    /// Corner radius tokens.
    RadiusValue {
        TwoXs = "2xs",
        Xs = "xs",
        Sm = "sm",
        Md = "md",
        Lg = "lg",
        Xl = "xl",
        TwoXl = "2xl",
        ThreeXl = "3xl",
        FourXl = "4xl",
        Full = "full",
        Percent100 = "100%",
        None = "none",
    }
}

wire_enum! {
    /// Horizontal text alignment.
    TextAlign {
        Start = "start",
        Center = "center",
        End = "end",
    }
}

wire_enum! {
    /// Body text sizes.
    TextSize {
        Xs = "xs",
        Sm = "sm",
        Md = "md",
        Lg = "lg",
        Xl = "xl",
    }
}

wire_enum! {
    /// Icon sizes.
    IconSize {
        Xs = "xs",
        Sm = "sm",
        Md = "md",
        Lg = "lg",
        Xl = "xl",
        TwoXl = "2xl",
        ThreeXl = "3xl",
    }
}

wire_enum! {
    /// Title text sizes.
    TitleSize {
        Sm = "sm",
        Md = "md",
        Lg = "lg",
        Xl = "xl",
        TwoXl = "2xl",
        ThreeXl = "3xl",
        FourXl = "4xl",
        FiveXl = "5xl",
    }
}

wire_enum! {
    /// Caption text sizes.
    CaptionSize {
        Sm = "sm",
        Md = "md",
        Lg = "lg",
    }
}

wire_enum! {
    /// Flexbox cross-axis alignment.
    Alignment {
        Start = "start",
        Center = "center",
        End = "end",
        Baseline = "baseline",
        Stretch = "stretch",
    }
}

wire_enum! {
    /// Flexbox main-axis distribution.
    Justification {
        Start = "start",
        Center = "center",
        End = "end",
        Between = "between",
        Around = "around",
        Evenly = "evenly",
        Stretch = "stretch",
    }
}

wire_enum! {
    /// Button and select styles.
    ControlVariant {
        Solid = "solid",
        Soft = "soft",
        Outline = "outline",
        Ghost = "ghost",
    }
}

wire_enum! {
    /// Button and input sizes.
    ControlSize {
        ThreeXs = "3xs",
        TwoXs = "2xs",
        Xs = "xs",
        Sm = "sm",
        Md = "md",
        Lg = "lg",
        Xl = "xl",
        TwoXl = "2xl",
        ThreeXl = "3xl",
    }
}

wire_enum! {
    /// Font weights (`Text`, `Title`, `Caption`, `Label`).
    FontWeight {
        Normal = "normal",
        Medium = "medium",
        Semibold = "semibold",
        Bold = "bold",
    }
}

wire_enum! {
    /// A forced light or dark theme (`Card`, `ListView`).
    Theme {
        Light = "light",
        Dark = "dark",
    }
}

wire_enum! {
    /// Card sizes.
    CardSize {
        Sm = "sm",
        Md = "md",
        Lg = "lg",
        Full = "full",
    }
}

wire_enum! {
    /// Badge colors.
    BadgeColor {
        Secondary = "secondary",
        Success = "success",
        Danger = "danger",
        Warning = "warning",
        Info = "info",
        Discovery = "discovery",
    }
}

wire_enum! {
    /// Badge styles.
    BadgeVariant {
        Solid = "solid",
        Soft = "soft",
        Outline = "outline",
    }
}

wire_enum! {
    /// Badge sizes.
    BadgeSize {
        Sm = "sm",
        Md = "md",
        Lg = "lg",
    }
}

wire_enum! {
    /// How flex items wrap.
    FlexWrap {
        NoWrap = "nowrap",
        Wrap = "wrap",
        WrapReverse = "wrap-reverse",
    }
}

wire_enum! {
    /// Flex direction (`Box`, `Form`, `RadioGroup`).
    Direction {
        Row = "row",
        Col = "col",
    }
}

wire_enum! {
    /// Border line styles.
    BorderStyle {
        Solid = "solid",
        Dashed = "dashed",
        Dotted = "dotted",
        Double = "double",
        Groove = "groove",
        Ridge = "ridge",
        Inset = "inset",
        Outset = "outset",
    }
}

wire_enum! {
    /// How an image fits its box.
    ImageFit {
        Cover = "cover",
        Contain = "contain",
        Fill = "fill",
        ScaleDown = "scale-down",
        None = "none",
    }
}

wire_enum! {
    /// Focal position of an image.
    ImagePosition {
        TopLeft = "top left",
        Top = "top",
        TopRight = "top right",
        Left = "left",
        Center = "center",
        Right = "right",
        BottomLeft = "bottom left",
        Bottom = "bottom",
        BottomRight = "bottom right",
    }
}

wire_enum! {
    /// Button style presets.
    ButtonStyle {
        Primary = "primary",
        Secondary = "secondary",
    }
}

wire_enum! {
    /// Icon sizes inside a button.
    ButtonIconSize {
        Sm = "sm",
        Md = "md",
        Lg = "lg",
        Xl = "xl",
        TwoXl = "2xl",
    }
}

wire_enum! {
    /// Button colors.
    ButtonColor {
        Primary = "primary",
        Secondary = "secondary",
        Info = "info",
        Discovery = "discovery",
        Success = "success",
        Caution = "caution",
        Warning = "warning",
        Danger = "danger",
    }
}

wire_enum! {
    /// Where a date picker opens its calendar.
    CalendarSide {
        Top = "top",
        Bottom = "bottom",
        Left = "left",
        Right = "right",
    }
}

wire_enum! {
    /// How a date picker aligns its calendar.
    CalendarAlign {
        Start = "start",
        Center = "center",
        End = "end",
    }
}

wire_enum! {
    /// Native input types.
    HtmlInputType {
        Number = "number",
        Email = "email",
        Text = "text",
        Password = "password",
        Tel = "tel",
        Url = "url",
    }
}

wire_enum! {
    /// Input and textarea styles.
    InputVariant {
        Soft = "soft",
        Outline = "outline",
    }
}

wire_enum! {
    /// Inner edge spacing of inputs.
    GutterSize {
        TwoXs = "2xs",
        Xs = "xs",
        Sm = "sm",
        Md = "md",
        Lg = "lg",
        Xl = "xl",
    }
}

wire_enum! {
    /// How `area` and `line` series connect points.
    CurveType {
        Basis = "basis",
        BasisClosed = "basisClosed",
        BasisOpen = "basisOpen",
        BumpX = "bumpX",
        BumpY = "bumpY",
        Bump = "bump",
        Linear = "linear",
        LinearClosed = "linearClosed",
        Natural = "natural",
        MonotoneX = "monotoneX",
        MonotoneY = "monotoneY",
        Monotone = "monotone",
        Step = "step",
        StepBefore = "stepBefore",
        StepAfter = "stepAfter",
    }
}
