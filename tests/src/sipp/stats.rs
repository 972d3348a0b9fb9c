//! SIPp's statistics CSV (`-trace_stat`): `;`-separated, a header line,
//! then one row per dump; the last row holds the totals.

use std::collections::BTreeMap;

/// The last row of a SIPp statistics file, by column name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SippStats {
    columns: BTreeMap<String, String>,
}

impl SippStats {
    /// Reads the file's text; an empty or headless file gives empty
    /// statistics (every counter 0).
    ///
    /// ```
    /// use geosip_sim::sipp::SippStats;
    /// let s = SippStats::parse("SuccessfulCall(C);FailedCall(C);\n1;0;\n");
    /// assert_eq!((s.successful(), s.failed()), (1, 0));
    /// ```
    pub fn parse(text: &str) -> SippStats {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let Some(header) = lines.next() else {
            return SippStats::default();
        };
        let Some(last) = lines.next_back() else {
            return SippStats::default();
        };
        let columns = header
            .split(';')
            .zip(last.split(';'))
            .filter(|(name, _)| !name.is_empty())
            .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
            .collect();
        SippStats { columns }
    }

    /// A column's value as written.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.columns.get(column).map(String::as_str)
    }

    /// A column as a counter (0 when missing or not a number).
    pub fn counter(&self, column: &str) -> u64 {
        self.get(column).and_then(|v| v.parse().ok()).unwrap_or(0)
    }

    /// Calls that ended at the end of the scenario (`SuccessfulCall(C)`).
    pub fn successful(&self) -> u64 {
        self.counter("SuccessfulCall(C)")
    }

    /// Calls that failed (`FailedCall(C)`): a check, an unexpected
    /// message, a timeout.
    pub fn failed(&self) -> u64 {
        self.counter("FailedCall(C)")
    }

    /// Every column, by name.
    pub fn columns(&self) -> &BTreeMap<String, String> {
        &self.columns
    }
}
