// Package blog is Ward's reference service; see api.yaml.
package blog

//go:generate go run github.com/wardhq/ward/cmd/ward generate
