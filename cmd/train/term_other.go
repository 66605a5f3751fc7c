//go:build !unix

package main

import "os"

// terminalWidth returns 0: the width is not known here, and the COLUMNS
// variable, if set, is used instead.
func terminalWidth(*os.File) int { return 0 }
