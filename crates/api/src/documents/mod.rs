//! Documents the API renders besides JSON: the training calendar (iCalendar), certificates
//! of attendance (PDF), and the results report as a table (CSV) and as IATI XML. Pure functions of plain values, tested by parsing what they write.

pub mod calendar;
pub mod certificate;
pub mod iati;
pub mod results_table;
