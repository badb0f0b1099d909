package service

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/wardhq/ward/runtime/cors"
)

// Main runs the command named by os.Args[1] and exits: 0 on success, 1 on
// failure (with a one-line reason on stderr), 2 on a usage error. The serve
// command serves the handler of New(def, opts...) until SIGTERM or SIGINT,
// then drains it.
func Main(def *Definition, opts ...Option) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, def, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, opts...)
	stop()
	os.Exit(code)
}

// errUsage marks a command-line mistake (exit status 2).
var errUsage = errors.New("usage")

// Run is Main without the process: it runs one command and returns the exit
// status. Cancelling ctx (SIGTERM, SIGINT in Main) makes serve drain and
// return 0. The log is JSON lines on stderr unless opts hold WithLogger.
func Run(ctx context.Context, def *Definition, args []string, stdin io.Reader, stdout, stderr io.Writer, opts ...Option) int {
	if err := checkDefinition(def); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", progName(def), err)
		return 1
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(def, stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	env, err := loadEnv(def, newOptions(opts).getenv)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", progName(def), oneLine(err.Error()))
		return 1
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		err = cmdServe(ctx, def, rest, stderr, opts)
	case "createuser":
		err = cmdCreateUser(ctx, def, env, rest, stdin, stdout)
	case "changepassword":
		err = cmdChangePassword(ctx, def, env, rest, stdin, stdout)
	case "deactivate":
		err = cmdDeactivate(ctx, def, env, rest, stdout)
	case "grant", "revoke":
		err = cmdGrant(ctx, def, env, rest, stdout, cmd == "revoke")
	case "group":
		err = cmdGroup(ctx, def, env, rest, stdout)
	default:
		fmt.Fprintf(stderr, "%s: unknown command %q\n", progName(def), cmd)
		usage(def, stderr)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "%s: %v\n", progName(def), err)
		return 2
	default:
		fmt.Fprintf(stderr, "%s: %s\n", progName(def), oneLine(err.Error()))
		return 1
	}
}

func progName(def *Definition) string {
	if def != nil && def.Name != "" {
		return def.Name
	}
	return "service"
}

// oneLine keeps a startup failure to one line, as operators grep for it.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func usage(def *Definition, w io.Writer) {
	p := progName(def)
	e := def.EnvPrefix
	fmt.Fprintf(w, `Usage: %[1]s <command> [flags]

Commands:
  serve           --addr HOST:PORT (default 127.0.0.1:8080)
  createuser      --username NAME [--email ADDR] [--password PW | password on stdin] [--staff]
  changepassword  --username NAME [--password PW | password on stdin]
  deactivate      --username NAME
  grant           --username NAME | --group NAME PERM... (e.g. tickets.view tickets.add)
  revoke          --username NAME | --group NAME PERM...
  group create    NAME
  group add       --group NAME --username NAME

Environment:
  %[2]s_DATA            folder of the embedded SQLite database (default ./%[1]s-data)
  %[2]s_JWT_KEY         HS256 signing key: openssl rand -base64 48 (default: generated once into the data folder)
  %[2]s_DATABASE_URL    PostgreSQL for data instead of SQLite
  %[2]s_REDIS_URL       Redis for sessions, refresh families and throttle counters
  %[2]s_LOGIN_RATE      login throttle, e.g. 10/minute
  %[2]s_CORS_ORIGINS    comma-separated origins allowed to call the API from a browser
  %[2]s_SMTP_URL        SMTP for account mails, e.g. smtp://127.0.0.1:2525 (default: printed to stderr)
`, p, e)
}

func checkDefinition(def *Definition) error {
	if def == nil {
		return errors.New("no service definition")
	}
	if def.APIVersion != APIVersion {
		return fmt.Errorf("the generated code is for runtime API version %d but this runtime is version %d: run `ward generate` again", def.APIVersion, APIVersion)
	}
	if def.Name == "" || def.EnvPrefix == "" {
		return errors.New("the service definition has no name or environment prefix: run `ward generate` again")
	}
	return nil
}

// env is the service's environment, read once at start.
type env struct {
	DataDir     string
	JWTKey      string
	DatabaseURL string
	RedisURL    string
	LoginRate   string
	CORSOrigins []string
	SMTPURL     string // <PREFIX>_SMTP_URL; "" for the console backend
}

// loadEnv reads the environment. CORS origins are checked as the spec's
// are (cors.CheckOrigin): a bad one is an error naming the variable.
func loadEnv(def *Definition, getenv func(string) string) (env, error) {
	p := def.EnvPrefix + "_"
	e := env{
		DataDir:     getenv(p + "DATA"),
		DatabaseURL: getenv(p + "DATABASE_URL"),
		RedisURL:    getenv(p + "REDIS_URL"),
		SMTPURL:     getenv(p + "SMTP_URL"),
	}
	if e.DataDir == "" {
		e.DataDir = "./" + def.Name + "-data"
	}
	if def.Auth.JWT != nil && def.Auth.JWT.KeyEnv != "" {
		e.JWTKey = getenv(def.Auth.JWT.KeyEnv)
	}
	loginEnv := def.Throttle.LoginRateEnv
	if loginEnv == "" {
		loginEnv = p + "LOGIN_RATE"
	}
	e.LoginRate = getenv(loginEnv)
	seen := map[string]bool{}
	for _, o := range strings.Split(getenv(p+"CORS_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		if err := cors.CheckOrigin(o); err != nil {
			return e, fmt.Errorf("%sCORS_ORIGINS: %v", p, err)
		}
		if seen[o] {
			return e, fmt.Errorf("%sCORS_ORIGINS: duplicate CORS origin %q; remove the duplicate", p, o)
		}
		seen[o] = true
		e.CORSOrigins = append(e.CORSOrigins, o)
	}
	return e, nil
}

// readPassword returns the --password flag, or the first line of stdin.
func readPassword(flagValue string, stdin io.Reader) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the password from stdin: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", fmt.Errorf("%w: give --password or the password on stdin", errUsage)
	}
	return pw, nil
}
