// Command playground serves the dlgo playground: a page where you train a
// network on 2-D data and watch it learn, the TensorFlow Playground on
// dlgo's real graphs. It prints the URL to open; everything the page needs
// is in the binary.
//
//	go run ./cmd/playground               # http://127.0.0.1:8090/
//	go run ./cmd/playground -addr :9000   # another address
//
// Ctrl-C stops it.
package main
