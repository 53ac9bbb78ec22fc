"""English dates as Europeans read them: "1 Dec 2026", never "12/01/2026". Times are 24-hour and
carry their zone ("1 Dec 2026, 19:28 CET"). Exports and the API write ISO 8601 instead; they do not
go through these formats. French mirrors this file."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = DATE_FORMAT  # django-tables2's date columns use it
DATETIME_FORMAT = "j M Y, H:i T"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday
# Typed dates: ISO first, then day first; never the US month-first reading of 01/06/2024.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"]
