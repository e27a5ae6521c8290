"""PowerShell (pwsh and Windows PowerShell).

Verbatim single-quoted strings expand nothing; a quote is written twice.  PowerShell also
treats the typographic quotes U+2018-U+201B as single quotes, so those are doubled too.
"""

from __future__ import annotations

from s3env.integrations.shells.base import Shell

_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"


def quote_pwsh(value: str) -> str:
    return "'" + "".join(c + c if c in _SINGLE_QUOTES else c for c in value) + "'"


class PwshShell(Shell):
    name = "pwsh"
    file_suffix = "ps1"

    def set(self, name: str, value: str) -> str:
        return f"$env:{name} = {quote_pwsh(value)}"

    def unset(self, name: str) -> str:
        return f"Remove-Item -LiteralPath Env:{name} -ErrorAction SilentlyContinue"

    def hook(self, s3env_command: str, env_file: str) -> str:
        return _PWSH_HOOK.format(env_file=quote_pwsh(env_file), s3env=s3env_command)


# Not exercised by the test-suite: pwsh cannot be installed on the project's machines.
_PWSH_HOOK = """\
# s3env shell integration for PowerShell: add to $PROFILE:
#   Invoke-Expression (& s3env shell-init pwsh | Out-String)
$global:__s3envEnvFile = {env_file}
function global:__s3env_hook {{
    if (Test-Path -LiteralPath $global:__s3envEnvFile) {{
        $line = Get-Content -LiteralPath $global:__s3envEnvFile -TotalCount 1
        if ($line -ne $global:__S3ENV_APPLIED) {{
            . $global:__s3envEnvFile
            $global:__S3ENV_APPLIED = $line
        }}
    }}
}}
if (-not $global:__s3envPrompt) {{
    $global:__s3envPrompt = $function:prompt
    function global:prompt {{ __s3env_hook; & $global:__s3envPrompt }}
}}
function global:s3env {{
    & {s3env} @args
    $rc = $LASTEXITCODE
    if ($rc -eq 0 -and $args.Count -ge 2 -and $args[0] -eq 'use') {{ __s3env_hook }}
    $global:LASTEXITCODE = $rc
}}
__s3env_hook
"""
