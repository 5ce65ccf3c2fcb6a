# Clearline: a Microsoft Defender quick scan, run on its own (it may take many minutes) so that a
# long scan never cuts short the other host facts. Prints one JSON document.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
try { [Console]::OutputEncoding = [System.Text.Encoding]::UTF8 } catch {}
function Iso($d) { if ($d) { ([datetime]$d).ToUniversalTime().ToString('o') } else { $null } }
$out = [ordered]@{ schema = 1; errors = [ordered]@{} }
try {
    $started = (Get-Date).ToUniversalTime()
    Start-MpScan -ScanType QuickScan
    $out.scan = [ordered]@{
        started = (Iso $started); finished = (Iso (Get-Date))
        threats = @(Get-MpThreatDetection | Where-Object { $_.InitialDetectionTime -ge $started.ToLocalTime() } | ForEach-Object {
            [ordered]@{ threat_id = $_.ThreatID; resources = @($_.Resources); action_success = $_.ActionSuccess; detected = (Iso $_.InitialDetectionTime) }
        })
    }
} catch { $out.errors.scan = ('{0}: {1}' -f $_.Exception.GetType().Name, $_.Exception.Message) }
$out | ConvertTo-Json -Depth 6 -Compress
