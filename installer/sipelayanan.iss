; SiPelayanan - Windows installer (Inno Setup 6.5 or newer: Indonesian.isl is written for 6.5).
;
; Build the bundle first (PyInstaller, dist\SiPelayanan\), then from the repository root:
;   iscc installer\sipelayanan.iss            (installer\build.ps1 does both)
; Output: dist\SiPelayanan-<version>-setup.exe
;
; What it does:
; - installs per machine into Program Files (administrator rights), with Start-menu and desktop
;   shortcuts and an uninstaller;
; - asks which database this PC uses - its own SQLite file, or the office PostgreSQL server
;   (host, port, database, user) - and writes the answer, without any password, to
;   {commonappdata}\SiPelayanan\sipelayanan.ini ([database] url=...), which the app reads at
;   start (sipelayanan/machine_config.py);
; - makes the PC's data folder {commonappdata}\SiPelayanan\data, where the SQLite database of a
;   stand-alone PC lives (one database for every Windows account of the PC), and grants the PC's
;   Users "modify" on it; the INI one level up stays writable by administrators only, so a clerk
;   cannot point the PC at another database (sipelayanan/data_folder.py);
; - an upgrade replaces only the program files: the PC's database, each user's settings and log
;   (%LOCALAPPDATA%\Disdukcapil Way Kanan\SiPelayanan) and the machine-wide INI are kept, so
;   nothing of theirs is touched - nor on uninstall. An older version kept the SQLite file in
;   the user's own folder; the app moves it to the PC's data folder once, by itself;
; - runs the bundle's self-test at the end and warns when it fails.
;
; Unattended install (e.g. the same settings on every PC of the office):
;   SiPelayanan-x.y.z-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /DB=postgresql
;       /PGHOST=192.168.1.10 /PGPORT=5432 /PGDATABASE=sipelayanan /PGUSER=petugas
;   (/DB=sqlite for a stand-alone PC; without /DB an upgrade keeps the PC's current choice.)
;
; Licences: the wizard shows PEMBERITAHUAN-LISENSI.txt (what the program contains and under
; which licences) before installing, and installs the full third-party list the bundle build
; generated (_internal\licenses\THIRD-PARTY-LICENSES.txt, installer/licenses.py) as
; {app}\LISENSI-PIHAK-KETIGA.txt, with a shortcut in the admin folder.
;
; Code signing (optional): compile with /DSign and /Ssipelayanan="signtool sign ... $f" and
; Inno signs the setup program and its uninstaller (the Windows workflow does this when the
; signing secrets exist; see .github/workflows/windows.yml).

#define AppName "SiPelayanan"
#define AppPublisher "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Way Kanan"
#define AppExeName "SiPelayanan.exe"
#define CliExeName "sipelayanan-cli.exe"
#define BundleDir AddBackslash(SourcePath) + "..\dist\SiPelayanan"

; The version comes from the package (sipelayanan/__init__.py), which the PyInstaller spec writes
; into the executable's version resource. build.ps1 also passes it explicitly: /DAppVersion=x.y.z
#ifndef AppVersion
  #define AppVersion GetStringFileInfo(BundleDir + "\" + AppExeName, "ProductVersion")
#endif
#if AppVersion == ""
  #error "Versi tidak diketahui: bangun paket dist\SiPelayanan dulu (installer\build.ps1)."
#endif
#define ThirdPartyLicences BundleDir + "\_internal\licenses\THIRD-PARTY-LICENSES.txt"
#if !FileExists(ThirdPartyLicences)
  #error "Daftar lisensi pihak ketiga tidak ada di paket: bangun ulang dengan installer\build.ps1."
#endif

[Setup]
; Fixed forever: Windows recognises an upgrade of the same application by this id.
AppId={{5E708BC7-0507-47B7-9105-69C5FBDA00E1}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
AppComments=Pelayanan online WhatsApp Disdukcapil Kabupaten Way Kanan
VersionInfoDescription=Penginstal {#AppName}
VersionInfoProductName={#AppName}
VersionInfoProductTextVersion={#AppVersion}
VersionInfoCompany={#AppPublisher}
DefaultDirName={autopf}\{#AppName}
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Qt 6 needs Windows 10 or newer.
MinVersion=10.0
WizardStyle=modern
ShowLanguageDialog=no
SetupIconFile=..\resources\icons\app.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
OutputDir=..\dist
OutputBaseFilename={#AppName}-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
; Close a running SiPelayanan (Restart Manager) before its files are replaced.
CloseApplications=yes
RestartApplications=no
SetupLogging=yes
; What the program contains and under which licences, shown before installing.
InfoBeforeFile=PEMBERITAHUAN-LISENSI.txt
#ifdef Sign
SignTool=sipelayanan
SignedUninstaller=yes
#endif

[Languages]
; Indonesian wizard texts over the English defaults (any message the translation lacks stays
; English). Indonesian.isl is Inno Setup's contributed translation, kept in this folder with
; Inno Setup's licence (LICENSE.innosetup.txt); taken from jrsoftware/issrc,
; Files/Languages/Unofficial/Indonesian.isl at commit b88bd653 (2026-06-22).
Name: "id"; MessagesFile: "compiler:Default.isl,Indonesian.isl"

[CustomMessages]
TaskGroup=Pintasan:
TaskDesktop=Buat pintasan SiPelayanan di &desktop
RunNow=Jalankan SiPelayanan sekarang
AdminFolder=SiPelayanan - alat admin
SelfTestName=Uji mandiri SiPelayanan
SelfTestComment=Memeriksa instalasi tanpa menyentuh data pelayanan
LicencesName=Lisensi pihak ketiga
AppComment=Pelayanan online WhatsApp Disdukcapil Kabupaten Way Kanan

[Tasks]
Name: "desktopicon"; Description: "{cm:TaskDesktop}"; GroupDescription: "{cm:TaskGroup}"

[Dirs]
; Machine-wide settings (the database choice). Readable by every user, writable by admins only;
; kept on uninstall so a reinstall finds the same choice.
Name: "{commonappdata}\{#AppName}"; Flags: uninsneveruninstall
; The PC's data: the SQLite database of a stand-alone PC (and the app's single-instance locks).
; Every Windows account of the PC works on the same office, so Users may modify what is in it.
Name: "{commonappdata}\{#AppName}\data"; Permissions: users-modify; Flags: uninsneveruninstall

[InstallDelete]
; An upgrade starts from a clean program folder so no file of an older build lingers. Only the
; program folder: databases and settings are never in it.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#ThirdPartyLicences}"; DestDir: "{app}"; DestName: "LISENSI-PIHAK-KETIGA.txt"; Flags: ignoreversion
Source: "PEMBERITAHUAN-LISENSI.txt"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Comment: "{cm:AppComment}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Comment: "{cm:AppComment}"; Tasks: desktopicon
Name: "{autoprograms}\{cm:AdminFolder}\{cm:SelfTestName}"; Filename: "{cmd}"; Parameters: "/k """"{app}\{#CliExeName}"" --self-test"""; WorkingDir: "{app}"; IconFilename: "{app}\{#AppExeName}"; Comment: "{cm:SelfTestComment}"
Name: "{autoprograms}\{cm:AdminFolder}\{cm:LicencesName}"; Filename: "{app}\LISENSI-PIHAK-KETIGA.txt"

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:RunNow}"; Flags: nowait postinstall skipifsilent runasoriginaluser

[Code]
const
  DbSection = 'database';
  NameChars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-';

var
  DbPage: TInputOptionWizardPage;
  PgPage: TInputQueryWizardPage;

function MachineIni: String;
begin
  Result := ExpandConstant('{commonappdata}\{#AppName}\sipelayanan.ini');
end;

{ The value of /NAME=value on the command line, or Default. }
function CmdParam(const Name, Default: String): String;
var
  I: Integer;
  Prefix: String;
begin
  Result := Default;
  Prefix := '/' + Uppercase(Name) + '=';
  for I := 1 to ParamCount do
    if Pos(Prefix, Uppercase(ParamStr(I))) = 1 then
      Result := Trim(Copy(ParamStr(I), Length(Prefix) + 1, Length(ParamStr(I))));
end;

function UsesPostgres: Boolean;
begin
  Result := DbPage.SelectedValueIndex = 1;
end;

function OnlyChars(const S, Allowed: String): Boolean;
var
  I: Integer;
begin
  Result := S <> '';
  for I := 1 to Length(S) do
    if Pos(Copy(S, I, 1), Allowed) = 0 then begin
      Result := False;
      Exit;
    end;
end;

{ Empty when the PostgreSQL fields are usable, else what to fix (Bahasa Indonesia). }
function PostgresProblem: String;
var
  Port: Integer;
begin
  Result := '';
  Port := StrToIntDef(PgPage.Values[1], 0);
  if not OnlyChars(PgPage.Values[0], NameChars + ':') then
    Result := 'Isi alamat server PostgreSQL: nama komputer atau alamat IP, misalnya 192.168.1.10.'
  else if (Port < 1) or (Port > 65535) then
    Result := 'Port PostgreSQL harus angka 1 sampai 65535 (biasanya 5432).'
  else if not OnlyChars(PgPage.Values[2], NameChars) or (Length(PgPage.Values[2]) > 63) then
    Result := 'Isi nama basis data: huruf, angka, garis bawah, titik atau tanda hubung (misalnya sipelayanan).'
  else if not OnlyChars(PgPage.Values[3], NameChars) or (Length(PgPage.Values[3]) > 63) then
    Result := 'Isi nama pengguna PostgreSQL: huruf, angka, garis bawah, titik atau tanda hubung.';
end;

function PostgresUrl: String;
var
  Host: String;
begin
  Host := PgPage.Values[0];
  if Pos(':', Host) > 0 then
    Host := '[' + Host + ']';  { an IPv6 address }
  Result := 'postgresql://' + PgPage.Values[3] + '@' + Host + ':' + PgPage.Values[1] + '/' +
    PgPage.Values[2];
end;

procedure InitializeWizard;
var
  Ini, Mode: String;
begin
  DbPage := CreateInputOptionPage(wpSelectTasks,
    'Basis data', 'Di mana PC ini menyimpan data pelayanan?',
    'Pilih satu. Pilihan ini berlaku untuk semua pengguna Windows di PC ini dan dapat diubah ' +
    'dengan menjalankan penginstal lagi. Data yang sudah ada tidak dihapus oleh penginstal.',
    True, False);
  DbPage.Add('Basis data lokal di PC ini (SQLite) - untuk kantor dengan satu PC pelayanan. ' +
    'Data tersimpan di ' + ExpandConstant('{commonappdata}\{#AppName}\data') + ', satu untuk ' +
    'semua pengguna Windows di PC ini.');
  DbPage.Add('Server PostgreSQL kantor - untuk beberapa PC yang memakai data yang sama.');

  PgPage := CreateInputQueryPage(DbPage.ID,
    'Server PostgreSQL', 'Ke server mana PC ini tersambung?',
    'Isi sesuai server basis data kantor (tanyakan kepada admin). Kata sandi TIDAK diminta di ' +
    'sini dan tidak disimpan oleh penginstal: SiPelayanan menanyakannya saat pertama tersambung ' +
    'lalu menyimpannya di Windows Credential Manager.');
  PgPage.Add('&Alamat server (nama komputer atau IP):', False);
  PgPage.Add('&Port:', False);
  PgPage.Add('Nama &basis data:', False);
  PgPage.Add('Nama &pengguna PostgreSQL:', False);

  { Defaults: the command line, else this PC's current choice (upgrade), else SQLite. }
  Ini := MachineIni;
  Mode := Lowercase(CmdParam('DB', GetIniString(DbSection, 'mode', 'sqlite', Ini)));
  if (Mode = 'postgresql') or (Mode = 'postgres') then
    DbPage.SelectedValueIndex := 1
  else
    DbPage.SelectedValueIndex := 0;
  PgPage.Values[0] := CmdParam('PGHOST', GetIniString(DbSection, 'host', '', Ini));
  PgPage.Values[1] := CmdParam('PGPORT', GetIniString(DbSection, 'port', '5432', Ini));
  PgPage.Values[2] := CmdParam('PGDATABASE', GetIniString(DbSection, 'name', 'sipelayanan', Ini));
  PgPage.Values[3] := CmdParam('PGUSER', GetIniString(DbSection, 'user', '', Ini));
end;

function ShouldSkipPage(PageID: Integer): Boolean;
begin
  Result := (PageID = PgPage.ID) and not UsesPostgres;
end;

function NextButtonClick(CurPageID: Integer): Boolean;
var
  Problem: String;
begin
  Result := True;
  if (CurPageID = PgPage.ID) and UsesPostgres then begin
    Problem := PostgresProblem;
    if Problem <> '' then begin
      MsgBox(Problem, mbError, MB_OK);
      Result := False;
    end;
  end;
end;

{ Also reached by an unattended install, where no page is shown: a bad /PG... value stops
  Setup here, before any file is copied. }
function PrepareToInstall(var NeedsRestart: Boolean): String;
begin
  Result := '';
  if UsesPostgres then
    Result := PostgresProblem;
end;

function UpdateReadyMemo(Space, NewLine, MemoUserInfoInfo, MemoDirInfo, MemoTypeInfo,
  MemoComponentsInfo, MemoGroupInfo, MemoTasksInfo: String): String;
begin
  Result := MemoDirInfo + NewLine + NewLine;
  if MemoTasksInfo <> '' then
    Result := Result + MemoTasksInfo + NewLine + NewLine;
  Result := Result + 'Basis data:' + NewLine + Space;
  if UsesPostgres then
    Result := Result + 'server PostgreSQL ' + PostgresUrl + ' (tanpa kata sandi)'
  else
    Result := Result + 'SQLite lokal di ' + ExpandConstant('{commonappdata}\{#AppName}\data') +
      ' (sama untuk semua pengguna Windows PC ini)';
end;

procedure SaveDatabaseChoice;
var
  Ini: String;
begin
  Ini := MachineIni;
  if UsesPostgres then begin
    SetIniString(DbSection, 'mode', 'postgresql', Ini);
    SetIniString(DbSection, 'url', PostgresUrl, Ini);
    SetIniString(DbSection, 'host', PgPage.Values[0], Ini);
    SetIniString(DbSection, 'port', PgPage.Values[1], Ini);
    SetIniString(DbSection, 'name', PgPage.Values[2], Ini);
    SetIniString(DbSection, 'user', PgPage.Values[3], Ini);
  end else begin
    SetIniString(DbSection, 'mode', 'sqlite', Ini);
    DeleteIniEntry(DbSection, 'url', Ini);
  end;
  Log('Database choice written to ' + Ini);
end;

procedure RunSelfTest;
var
  ResultCode: Integer;
begin
  if Exec(ExpandConstant('{app}\{#CliExeName}'), '--self-test', ExpandConstant('{app}'),
    SW_HIDE, ewWaitUntilTerminated, ResultCode) and (ResultCode = 0) then
    Log('Self-test passed')
  else begin
    Log(Format('Self-test FAILED (exit code %d)', [ResultCode]));
    if not WizardSilent then
      MsgBox('SiPelayanan sudah terpasang, tetapi uji mandirinya GAGAL. Jalankan "' +
        CustomMessage('SelfTestName') + '" dari menu Start (folder "' +
        CustomMessage('AdminFolder') + '") untuk melihat penyebabnya, lalu pasang ulang ' +
        'atau hubungi admin. Antivirus yang mengkarantina file aplikasi adalah penyebab ' +
        'yang sering terjadi.', mbError, MB_OK);
  end;
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if CurStep = ssPostInstall then begin
    SaveDatabaseChoice;
    RunSelfTest;
  end;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
    MsgBox('SiPelayanan sudah dicopot. Basis data dan pilihan basis data PC ini (' +
      ExpandConstant('{commonappdata}\{#AppName}') + ') serta pengaturan dan log tiap ' +
      'pengguna (%LOCALAPPDATA%\Disdukcapil Way Kanan\SiPelayanan) TIDAK dihapus. Hapus ' +
      'sendiri bila memang tidak diperlukan lagi; cadangkan dulu.', mbInformation, MB_OK);
end;
