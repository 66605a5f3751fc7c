package main

import (
	"fmt"
	"io"
	"strings"
)

// writeTable writes the results as Markdown: one row per model, request
// size and concurrency, with each server's throughput and latencies, and
// dlgo's throughput over the best peer's.
func writeTable(w io.Writer, rep report) {
	var servers []string
	seen := map[string]bool{}
	for _, c := range rep.Cells {
		if !seen[c.Server] {
			seen[c.Server] = true
			servers = append(servers, c.Server)
		}
	}
	fmt.Fprintf(w, "Machine: %s. Command: `%s`.\n\n", rep.Machine, rep.Command)
	for _, a := range rep.Agreement {
		fmt.Fprintf(w, "- %s\n", a)
	}
	if len(rep.Agreement) > 0 {
		fmt.Fprintln(w)
	}
	head := "| model | samples/request | clients |"
	rule := "|---|--:|--:|"
	for _, s := range servers {
		head += fmt.Sprintf(" %s req/s | p50 ms | p99 ms |", s)
		rule += "--:|--:|--:|"
		if s == "dlgo" {
			head += " dlgo samples per call |"
			rule += "--:|"
		}
	}
	if len(servers) > 1 {
		head += " dlgo ÷ best peer, req/s |"
		rule += "--:|"
	}
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, rule)
	type key struct {
		model         string
		samples, conc int
	}
	var order []key
	byKey := map[key]map[string]cell{}
	for _, c := range rep.Cells {
		k := key{c.Model, c.Samples, c.Concurrency}
		if byKey[k] == nil {
			byKey[k] = map[string]cell{}
			order = append(order, k)
		}
		byKey[k][c.Server] = c
	}
	for _, k := range order {
		row := fmt.Sprintf("| %s | %d | %d |", k.model, k.samples, k.conc)
		best := 0.0
		for _, s := range servers {
			c, ok := byKey[k][s]
			if !ok {
				row += " | | |"
				if s == "dlgo" {
					row += " |"
				}
				continue
			}
			errs := ""
			if c.Errors > 0 {
				errs = fmt.Sprintf(" (%d errors)", c.Errors)
			}
			row += fmt.Sprintf(" %s%s | %.2f | %.2f |", groupDigits(c.Throughput), errs, c.P50, c.P99)
			if s == "dlgo" {
				row += fmt.Sprintf(" %.1f |", c.MeanBatch)
			}
			if s != "dlgo" && c.Throughput > best {
				best = c.Throughput
			}
		}
		if len(servers) > 1 {
			if d, ok := byKey[k]["dlgo"]; ok && best > 0 {
				row += fmt.Sprintf(" %.1f× |", d.Throughput/best)
			} else {
				row += " |"
			}
		}
		fmt.Fprintln(w, row)
	}
}

// groupDigits formats a rate with thousands separators and no decimals
// (one decimal below 100).
func groupDigits(v float64) string {
	if v < 100 {
		return fmt.Sprintf("%.1f", v)
	}
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
