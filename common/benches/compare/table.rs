//! The one table the bench prints: Markdown, padded so that it also reads
//! well in a terminal, and can be pasted into the docs as it is.

pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|cell| cell.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells are left empty.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn print(&self) {
        let columns = self.header.len();
        // Characters, not bytes: `µ` and `→` are one column wide.
        let width = |cell: &str| cell.chars().count();
        let mut widths: Vec<usize> =
            self.header.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            for (column, cell) in row.iter().enumerate().take(columns) {
                widths[column] = widths[column].max(width(cell));
            }
        }
        let line = |cells: &[String]| {
            let padded: Vec<String> = (0..columns)
                .map(|column| {
                    let cell = cells.get(column).map_or("", String::as_str);
                    let pad = widths[column] - width(cell);
                    format!("{cell}{}", " ".repeat(pad))
                })
                .collect();
            println!("| {} |", padded.join(" | "));
        };
        line(&self.header);
        let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
        line(&rule);
        for row in &self.rows {
            line(row);
        }
    }
}

/// 12345.6 -> "12,346": thousands separated, for rates and counts.
pub fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A duration in the unit that suits it: "38 µs", "1.4 ms", "1.03 s".
pub fn duration(value: std::time::Duration) -> String {
    let micros = value.as_secs_f64() * 1e6;
    let (value, unit) = if micros < 1_000.0 {
        (micros, "µs")
    } else if micros < 1_000_000.0 {
        (micros / 1e3, "ms")
    } else {
        (micros / 1e6, "s")
    };
    // Three significant digits, at most: "38.2 µs", "412 µs", "1.03 s".
    if value.fract() == 0.0 || value >= 100.0 {
        format!("{value:.0} {unit}")
    } else if value >= 10.0 {
        format!("{value:.1} {unit}")
    } else {
        format!("{value:.2} {unit}")
    }
}

/// A ratio as "1.03x".
pub fn ratio(value: f64) -> String {
    if value >= 10.0 {
        format!("{value:.0}x")
    } else {
        format!("{value:.2}x")
    }
}
