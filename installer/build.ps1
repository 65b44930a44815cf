# Build SiPelayanan on Windows: the PyInstaller bundle dist\SiPelayanan\, its self-test, and the
# installer dist\SiPelayanan-<version>-setup.exe (Inno Setup 6.5+) with its SHA-256 beside it.
#
#   powershell -ExecutionPolicy Bypass -File installer\build.ps1
#   powershell -ExecutionPolicy Bypass -File installer\build.ps1 -SkipInstaller
#
# Needs Python 3.12 (py launcher or python on PATH) and, for the installer, Inno Setup 6.5+
# (https://jrsoftware.org/isdl.php, or: choco install innosetup). Every Python package comes from
# installer\requirements.lock, each checked against its SHA-256 (as in the Windows workflow).
param(
    [switch]$SkipInstaller,
    [string]$Python = ""
)
$ErrorActionPreference = "Stop"
Set-Location (Split-Path -Parent $PSScriptRoot)

function Invoke-Checked([string]$exe, [string[]]$arguments) {
    & $exe @arguments
    if ($LASTEXITCODE -ne 0) { throw "$exe $($arguments -join ' ') gagal (kode $LASTEXITCODE)" }
}

# 1. Virtual environment with exactly the locked packages, then the app itself (no other
#    download: hatchling, its build backend, is in the lock too).
if (-not (Test-Path .venv\Scripts\python.exe)) {
    if ($Python) { Invoke-Checked $Python @("-m", "venv", ".venv") }
    elseif (Get-Command py -ErrorAction SilentlyContinue) { Invoke-Checked py @("-3.12", "-m", "venv", ".venv") }
    else { Invoke-Checked python @("-m", "venv", ".venv") }
}
$venvPy = ".venv\Scripts\python.exe"
Invoke-Checked $venvPy @("-m", "pip", "install", "--disable-pip-version-check", "-q", "--require-hashes",
    "--only-binary", ":all:", "-r", "installer\requirements.lock")
Invoke-Checked $venvPy @("-m", "pip", "install", "--disable-pip-version-check", "-q", "--no-deps",
    "--no-build-isolation", "-e", ".")

# 2. The bundle.
$started = Get-Date
Invoke-Checked $venvPy @("-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
    "--distpath", "dist", "--workpath", "build\pyinstaller", "installer\sipelayanan.spec")
$seconds = [int]((Get-Date) - $started).TotalSeconds
$sizeMb = [math]::Round(((Get-ChildItem dist\SiPelayanan -Recurse | Measure-Object Length -Sum).Sum / 1MB), 1)
Write-Host "Paket dibangun dalam $seconds s: dist\SiPelayanan ($sizeMb MB)"

# 3. Prove it works, headless.
$env:QT_QPA_PLATFORM = "offscreen"
Invoke-Checked dist\SiPelayanan\sipelayanan-cli.exe @("--version")
Invoke-Checked dist\SiPelayanan\sipelayanan-cli.exe @("--self-test")
Remove-Item Env:\QT_QPA_PLATFORM

if ($SkipInstaller) { exit 0 }

# 4. The installer (Indonesian wizard texts: installer\Indonesian.isl, kept in the repository).
$iscc = @(
    (Get-Command iscc -ErrorAction SilentlyContinue).Source,
    "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe",
    "$env:ProgramFiles\Inno Setup 6\ISCC.exe",
    "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe"
) | Where-Object { $_ -and (Test-Path $_) } | Select-Object -First 1
if (-not $iscc) { throw "Inno Setup 6 (ISCC.exe) tidak ditemukan. Pasang dari https://jrsoftware.org/isdl.php atau: choco install innosetup" }
$version = (& $venvPy -c "import sipelayanan; print(sipelayanan.__version__)").Trim()
Invoke-Checked $iscc @("/Qp", "/DAppVersion=$version", "installer\sipelayanan.iss")
Get-ChildItem "dist\SiPelayanan-$version-setup.exe" | ForEach-Object {
    $hash = (Get-FileHash -Algorithm SHA256 $_.FullName).Hash.ToLower()
    "$hash *$($_.Name)" | Out-File -Encoding ascii "$($_.FullName).sha256"
    Write-Host "Penginstal: $($_.FullName) ($([math]::Round($_.Length / 1MB, 1)) MB), SHA-256 $hash"
}
