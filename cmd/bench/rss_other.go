//go:build !unix

package main

import "os"

// maxRSS returns 0: this system has no getrusage.
func maxRSS(*os.ProcessState) int64 { return 0 }
