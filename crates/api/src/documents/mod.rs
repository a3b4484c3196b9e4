//! Documents the API renders besides JSON: the training calendar (iCalendar) and certificates
//! of attendance (PDF). Pure functions of plain values, tested by parsing what they write.

pub mod calendar;
pub mod certificate;
