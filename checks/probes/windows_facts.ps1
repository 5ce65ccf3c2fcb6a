# Clearline: every Windows fact the host checks need, gathered in ONE PowerShell run (each
# PowerShell start costs about a second) and printed as one JSON document.
# Works on Windows PowerShell 5.1 and PowerShell 7, on any display language: only property
# values, enum names, GUIDs, event IDs and exit codes are used, never localized text.
# Each section is independent: a failure is recorded under "errors" and the rest still runs.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
try { [Console]::OutputEncoding = [System.Text.Encoding]::UTF8 } catch {}
$out = [ordered]@{ schema = 1; ps_version = $PSVersionTable.PSVersion.ToString(); errors = [ordered]@{} }

function Section([string]$name, [scriptblock]$block) {
    try { $out[$name] = & $block }
    catch { $out.errors[$name] = ('{0}: {1}' -f $_.Exception.GetType().Name, $_.Exception.Message) }
}
function Iso($d) { if ($d) { ([datetime]$d).ToUniversalTime().ToString('o') } else { $null } }
# Windows Update's COM dates are UTC but arrive without a kind: converting them "to UTC" again
# would shift them by the PC's offset (9 hours in Japan).
function IsoUtc($d) { if ($d) { [DateTime]::SpecifyKind([datetime]$d, 'Utc').ToString('o') } else { $null } }

Section 'os' {
    $o = Get-CimInstance Win32_OperatingSystem
    $cv = Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
    [ordered]@{
        caption = $o.Caption; version = $o.Version; build = [int]$o.BuildNumber; ubr = $cv.UBR
        display_version = $cv.DisplayVersion; edition_id = $cv.EditionID
        product_type = [int]$o.ProductType; last_boot = (Iso $o.LastBootUpTime)
    }
}
Section 'esu' {
    # Extended Security Updates: an activated licence whose name contains ESU.
    @(Get-CimInstance SoftwareLicensingProduct -Filter "Name LIKE '%ESU%'" |
        Where-Object { $_.PartialProductKey } |
        ForEach-Object { [ordered]@{ name = $_.Name; license_status = [int]$_.LicenseStatus } })
}
Section 'update_services' {
    @('wuauserv', 'UsoSvc') | ForEach-Object {
        $s = Get-Service -Name $_
        [ordered]@{ name = $_; status = [string]$s.Status; start_type = [string]$s.StartType }
    }
}
Section 'pending_updates' {
    $session = New-Object -ComObject Microsoft.Update.Session
    $searcher = $session.CreateUpdateSearcher()
    $searcher.Online = $false  # use what Windows Update last downloaded; never starts a scan that
                               # needs the network without the user's yes
    $result = $searcher.Search("IsInstalled=0 and Type='Software' and IsHidden=0")
    @($result.Updates | ForEach-Object {
        [ordered]@{
            title = $_.Title; kb = @($_.KBArticleIDs); severity = $_.MsrcSeverity
            categories = @($_.Categories | ForEach-Object { $_.CategoryID })
        }
    })
}
Section 'update_history' {
    $searcher = (New-Object -ComObject Microsoft.Update.Session).CreateUpdateSearcher()
    $count = $searcher.GetTotalHistoryCount()
    @(if ($count -gt 0) {
        $searcher.QueryHistory(0, [Math]::Min($count, 200)) | ForEach-Object {
            # Operation 1 = installation; ResultCode 2 = succeeded, 3 = succeeded with errors
            [ordered]@{ date = (IsoUtc $_.Date); operation = [int]$_.Operation; result = [int]$_.ResultCode; title = $_.Title }
        }
    })
}
Section 'update_results' {
    # When Windows Update last searched and installed successfully (UTC): a stale search means
    # the "nothing pending" answer of the offline search is old news.
    $r = (New-Object -ComObject Microsoft.Update.AutoUpdate).Results
    [ordered]@{ last_search_success = (IsoUtc $r.LastSearchSuccessDate); last_install_success = (IsoUtc $r.LastInstallationSuccessDate) }
}
Section 'antivirus_products' {
    @(Get-CimInstance -Namespace 'root/SecurityCenter2' -ClassName AntiVirusProduct | ForEach-Object {
        [ordered]@{ name = $_.displayName; product_state = [int]$_.productState; exe = $_.pathToSignedProductExe; timestamp = $_.timestamp }
    })
}
Section 'defender' {
    $m = Get-MpComputerStatus
    [ordered]@{
        AMServiceEnabled = $m.AMServiceEnabled; AntivirusEnabled = $m.AntivirusEnabled
        RealTimeProtectionEnabled = $m.RealTimeProtectionEnabled; AMRunningMode = [string]$m.AMRunningMode
        AntivirusSignatureAge = $m.AntivirusSignatureAge; AntivirusSignatureLastUpdated = (Iso $m.AntivirusSignatureLastUpdated)
        AntivirusSignatureVersion = $m.AntivirusSignatureVersion; DefenderSignaturesOutOfDate = $m.DefenderSignaturesOutOfDate
        QuickScanAge = $m.QuickScanAge; FullScanAge = $m.FullScanAge; IsTamperProtected = $m.IsTamperProtected
    }
}
Section 'firewall' {
    # The ActiveStore: the rules in force now (the default, persistent store can differ when a
    # group policy or another product applies its own).
    @(Get-NetFirewallProfile -PolicyStore ActiveStore | ForEach-Object {
        [ordered]@{ name = [string]$_.Name; enabled = [string]$_.Enabled; default_inbound = [string]$_.DefaultInboundAction }
    })
}
Section 'firewall_products' {
    @(Get-CimInstance -Namespace 'root/SecurityCenter2' -ClassName FirewallProduct | ForEach-Object {
        [ordered]@{ name = $_.displayName; product_state = [int]$_.productState }
    })
}
Section 'time' {
    # W32Time is "Manual (trigger start)" on PCs outside a domain and usually stopped between
    # syncs: judge by the time source and the last successful sync, not by the service state.
    $svc = Get-Service -Name W32Time
    $params = Get-ItemProperty 'HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\Parameters'
    # Time-Service events 35/37: the clock is being synchronised / valid time data received.
    $last = Get-WinEvent -FilterHashtable @{ LogName = 'System'; ProviderName = 'Microsoft-Windows-Time-Service'; Id = 35, 37 } -MaxEvents 1 -ErrorAction SilentlyContinue
    $task = $null
    try { $task = Get-ScheduledTaskInfo -TaskPath '\Microsoft\Windows\Time Synchronization\' -TaskName 'SynchronizeTime' -ErrorAction Stop } catch {}
    [ordered]@{
        service_status = [string]$svc.Status; start_type = [string]$svc.StartType
        type = $params.Type; ntp_server = $params.NtpServer
        last_sync_event = (Iso $last.TimeCreated); last_sync_event_id = $last.Id
        sync_task_last_run = $(if ($task) { Iso $task.LastRunTime } else { $null })
        sync_task_result = $(if ($task) { [int64]$task.LastTaskResult } else { $null })
    }
}
$out | ConvertTo-Json -Depth 6 -Compress
