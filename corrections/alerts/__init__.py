"""预警处置: alert records raised by jobs, events and the 信息化核查 import (docs/domain.md §7.11)."""
