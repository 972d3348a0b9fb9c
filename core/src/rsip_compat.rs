//! Conversions to rsip 0.4 message types (feature `rsip`).
