package tabular

import (
	"math"
	"strconv"
	"strings"
)

// DefaultMissing lists the cells read as missing values: pandas' default
// na_values (empty, NA, NaN, null, None, N/A, #N/A, ...) and "?", which the
// UCI repository's files use.
var DefaultMissing = []string{"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
	"1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null", "?"}

// ParseNumber parses a cell as a finite number written the way tables
// write them: an optional sign, digits with an optional decimal point, and
// an optional exponent ("3", "-0.5", ".5", "1e-3", "+2.50E+02"). Go's own
// syntax beyond that ("1_000", "0x1p-2", "Inf") is not a number in a
// table.
func ParseNumber(s string) (float64, bool) {
	if !isNumberSyntax(s) {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// isNumberSyntax reports whether s is [+-]?(d+(.d*)?|.d+)([eE][+-]?d+)?.
func isNumberSyntax(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && isDigit(s[i]) {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// formatNumber writes v as the shortest text that reads back as v.
func formatNumber(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// missingSet is a set of missing-value tokens.
type missingSet map[string]bool

func newMissingSet(tokens []string) missingSet {
	m := make(missingSet, len(tokens))
	for _, t := range tokens {
		m[strings.TrimSpace(t)] = true
	}
	return m
}
